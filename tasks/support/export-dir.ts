import path from 'node:path'
import { param, resolveParameter } from 'etl'

/** Where the Support department's export files are when nothing says otherwise. */
export const DEFAULT_EXPORT_DIR = 'data/support/exports'

/**
 * The export files, named so that name order is time order (`<kind>_<NNNN>.<ext>`, NNNN the
 * period, zero-padded): the analysts' history and the case logs, one file of each per period.
 */
export const ANALYST_HISTORY_FILES = /^analyst_history_\d{4,}\.csv$/
export const CASE_LOG_FILES = /^case_log_\d{4,}\.log$/
/** The SLA per priority the Support department maintains: the Excel file, or a CSV in its place. */
export const SLA_FILES = ['sla.xlsx', 'sla.csv'] as const

/** WaitForSupportExports' `exportDir`: the one setting (`tasks.WaitForSupportExports.exportDir`) every step follows. */
export const EXPORT_DIR_PARAM = param.string({
  default: DEFAULT_EXPORT_DIR,
  description: 'folder of the export files (analyst_history_NNNN.csv, case_log_NNNN.log, sla.xlsx), or an S3 prefix s3://bucket/prefix; set tasks.WaitForSupportExports.exportDir and every step, and etl demo, use it',
})

/**
 * The export folder as configured. The sample data, the start of a sequence and the staging steps
 * all read it here, so one config key moves it for all of them.
 */
export function exportDir(): string {
  return resolveParameter('WaitForSupportExports', 'exportDir', EXPORT_DIR_PARAM)
}

/** The export folder for messages: an absolute path, or the S3 location as it is. */
export function folderLabel(location: string): string {
  return location.startsWith('s3://') ? location : path.resolve(location)
}
