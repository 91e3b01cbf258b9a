import { ExternalTask, FileFolder, param, type CompletionContext, type DataServices } from 'etl'
import { ANALYST_HISTORY_FILES, CASE_LOG_FILES, EXPORT_DIR_PARAM, SLA_FILES, folderLabel } from './export-dir.js'
import { PrepareSupportSource } from './prepare-support-source.js'

/**
 * The Support department's export files are in the export folder: at least one analysts' history
 * file, one case log and the SLA file. When they are not, the worker looks `tries` times, `delay`
 * seconds apart, then fails the run as missing external data (exit 3), naming what is missing.
 */
export class WaitForSupportExports extends ExternalTask.with({
  exportDir: EXPORT_DIR_PARAM,
  tries: param.int({ default: 3, description: 'how many times to look for the export files before failing as missing data' }),
  delay: param.int({ default: 60, description: 'seconds between two looks' }),
}) {
  static override readonly description = 'wait for the export files (analyst history, case logs, SLA) in the export folder'

  override pollIntervalMs = this.params.delay * 1000
  override pollTimeoutMs = Math.max(0, this.params.tries - 1) * this.params.delay * 1000

  override requires() {
    return new PrepareSupportSource()
  }

  /** The worker asks with the run's data services, which an S3 export folder is listed through. */
  override async complete(ctx?: CompletionContext): Promise<boolean> {
    this.#data = ctx?.data ?? this.#data
    if (!this.#data) return false
    return (await this.#missing(this.#data)).length === 0
  }

  override async describeMissing(): Promise<string> {
    const missing = this.#data ? await this.#missing(this.#data) : ['the export files']
    return `${missing.join(', ')} in ${folderLabel(this.params.exportDir)}`
  }

  #data: DataServices | undefined

  async #missing(data: DataServices): Promise<string[]> {
    const names = (await new FileFolder(this.params.exportDir).files(data, /./)).map((file) => file.name)
    const missing: string[] = []
    if (!names.some((name) => ANALYST_HISTORY_FILES.test(name))) missing.push('an analyst history file (analyst_history_NNNN.csv)')
    if (!names.some((name) => CASE_LOG_FILES.test(name))) missing.push('a case log (case_log_NNNN.log)')
    if (!SLA_FILES.some((name) => names.includes(name))) missing.push(`the SLA file (${SLA_FILES.join(' or ')})`)
    return missing
  }
}
