import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { SequencePipeline, appendedLinesFeed, loadMetadataDir } from 'etl'
import { ACCESS_LOG_FILE, weblogDir } from './weblog-dir.js'

/** The project folder: metadata/ and sql/ are found next to tasks/, whatever the working directory. */
const PROJECT = fileURLToPath(new URL('../../', import.meta.url))

/** The web log's row in the control table: its watermarks are line numbers. */
export const WEBLOG_TABLE = 'weblog_access'

/**
 * The orders and web log ELT: the B2B order database's tables (its dictionaries in
 * `metadata/orders/`, validated when the tasks load, so a bad dictionary stops `etl` before
 * anything runs) and the access log, under the sequence key `orders`. It takes over the sequences a
 * warehouse recorded before pipelines had keys: it was the only one.
 */
export const ORDERS = new SequencePipeline({
  name: 'orders',
  source: 'source',
  warehouse: 'warehouse',
  tables: loadMetadataDir(path.join(PROJECT, 'metadata', 'orders')),
  feeds: [appendedLinesFeed(WEBLOG_TABLE, () => path.join(weblogDir(), ACCESS_LOG_FILE))],
  schemas: ['landing', 'store'],
  adoptsUnkeyedSequences: true,
})

/** The dictionary tables, in dictionary order. */
export const METADATA = ORDERS.tables

/** Every `sql/orders/pres/*.sql`, run in name order to build the presentation layer. */
export const PRES_SQL_DIR = path.join(PROJECT, 'sql', 'orders', 'pres')
/** The reporting questions, one query per file; each becomes `output/reports/<name>.csv`. */
export const REPORTS_SQL_DIR = path.join(PROJECT, 'sql', 'orders', 'reports')

/** The dictionary files the tables come from, for messages. */
export function dictionaryFiles(): string {
  return [...new Set(METADATA.map((meta) => meta.file))].join(', ')
}

/** The lake key of a table's landing file for a sequence. */
export function landingKey(table: string, seq: number): string {
  return `landing/${table}/exec_seq=${seq}/part-0000.csv`
}
