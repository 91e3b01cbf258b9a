import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadMetadataDir, type TableMetadata } from 'etl'

/** The project folder: metadata/ and sql/ are found next to tasks/, whatever the working directory. */
const PROJECT = fileURLToPath(new URL('../../', import.meta.url))

/** The table dictionaries, validated when the tasks load: a bad dictionary stops `etl` before anything runs. */
export const METADATA: readonly TableMetadata[] = loadMetadataDir(path.join(PROJECT, 'metadata'))

/** Every `sql/pres/*.sql`, run in name order to build the presentation layer. */
export const PRES_SQL_DIR = path.join(PROJECT, 'sql', 'pres')
/** The reporting questions, one query per file; each becomes `output/reports/<name>.csv`. */
export const REPORTS_SQL_DIR = path.join(PROJECT, 'sql', 'reports')

/** The named connections the pipeline reads and writes. */
export const SOURCE = 'source'
export const WAREHOUSE = 'warehouse'

/** The dictionary files the tables come from, for messages. */
export function dictionaryFiles(): string {
  return [...new Set(METADATA.map((meta) => meta.file))].join(', ')
}

export function tableMetadata(table: string): TableMetadata {
  const found = METADATA.find((meta) => meta.table === table)
  if (!found) throw new Error(`no metadata dictionary describes table "${table}"; known: ${METADATA.map((meta) => meta.table).join(', ')}`)
  return found
}

/** The lake key of a table's landing file for a sequence. */
export function landingKey(table: string, seq: number): string {
  return `landing/${table}/exec_seq=${seq}/part-0000.csv`
}
