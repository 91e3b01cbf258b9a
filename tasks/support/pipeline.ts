import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { SequencePipeline, StarSchema, folderFilesFeed, loadDimensionalModel, loadMetadataDir } from 'etl'
import { ANALYST_HISTORY_FILES, CASE_LOG_FILES, exportDir } from './export-dir.js'

/** The project folder: metadata/ and sql/ are found next to tasks/, whatever the working directory. */
const PROJECT = fileURLToPath(new URL('../../', import.meta.url))

/** The export files' rows in the control table: their watermark is the last file name read. */
export const ANALYST_HISTORY_FEED = 'analyst_history'
export const CASE_LOG_FEED = 'case_log'

/**
 * The Support department's data warehouse: the HR and support systems' tables (their dictionary in
 * `metadata/support/tables/`) and the export files, staged under the sequence key `support`. The
 * first sequence is the initial load; each later one, opened when new rows or new export files
 * arrive, is a periodic merge.
 */
export const SUPPORT = new SequencePipeline({
  name: 'support',
  source: 'support_source',
  warehouse: 'warehouse',
  tables: loadMetadataDir(path.join(PROJECT, 'metadata', 'support', 'tables'), { landingSchema: 'support_landing', storeSchema: 'staging' }),
  feeds: [folderFilesFeed(ANALYST_HISTORY_FEED, exportDir, ANALYST_HISTORY_FILES), folderFilesFeed(CASE_LOG_FEED, exportDir, CASE_LOG_FILES)],
  schemas: ['support_landing', 'staging', 'support_dw'],
})

/** The star schema (`support_dw`), from its dimensional dictionary. */
export const STAR = new StarSchema(loadDimensionalModel(path.join(PROJECT, 'metadata', 'support', 'star', 'support_dw.json')))

/** The staging SQL run in name order after the files are staged: the facts' source. */
export const STAGING_SQL_DIR = path.join(PROJECT, 'sql', 'support', 'staging')
/** The team performance report's query, with its dialect variants. */
export const REPORTS_SQL_DIR = path.join(PROJECT, 'sql', 'support', 'reports')
/** The team performance report, kept in the warehouse so a sequence recomputes only the months it touched. */
export const REPORT_TABLE = 'support_dw.team_performance'

/** The lake key of a staged batch for a sequence. */
export function stagingKey(table: string, seq: number): string {
  return `support/landing/${table}/exec_seq=${seq}/part-0000.csv`
}

/** The lake key of a sequence's case-log rejects. */
export function rejectsKey(seq: number): string {
  return `support/rejects/${CASE_LOG_FEED}/exec_seq=${seq}/rejects.csv`
}
