import fs from 'node:fs'
import { EtlError, defineSampleData, missingTables, quotedList, type Database } from 'etl'
import { exportDir } from './export-dir.js'
import { SUPPORT } from './pipeline.js'
import { SUPPORT_TABLES } from './sample/support-schema.js'
import { advanceSupportSource, initSupportSource } from './sample/support-source.js'


/**
 * The support pipeline's sample (`etl demo init|advance --pipeline support`): the HR, product and
 * case tables in connection `support_source`, and the export files (analysts' history, case logs,
 * `sla.xlsx`) in the export folder. Each `advance` adds the next calendar month.
 */
export const supportSample = defineSampleData({
  pipeline: 'support',
  description: 'analysts, products and cases in connection "support_source"; analyst history, case logs and sla.xlsx in the export folder',
  async init(data, options) {
    const dir = localExportDir()
    const source = await data.database(SUPPORT.source)
    if (!options.force) await refuseToReplace(source, dir)
    return initSupportSource(source, { scale: options.scale ?? 1, seed: options.seed, exportDir: dir })
  },
  async advance(data, options) {
    const source = await data.database(SUPPORT.source)
    const missing = await missingTables(source, SUPPORT_TABLES.map((table) => table.name))
    if (missing.length) {
      throw new EtlError(
        'ETL_ERR_SAMPLE_SOURCE_MISSING',
        `${source.description} has no sample to advance: ${quotedList(missing)} ${missing.length === 1 ? 'is' : 'are'} missing; run etl demo init --pipeline support first`,
      )
    }
    return advanceSupportSource(source, { seed: options.seed, exportDir: localExportDir() })
  },
})

/** The export folder, which the sample writes to: a local one. */
function localExportDir(): string {
  const dir = exportDir()
  if (dir.startsWith('s3://')) {
    throw new EtlError('ETL_ERR_CONFIG_INVALID', `tasks.WaitForSupportExports.exportDir is ${dir}, and etl demo writes the sample's export files to a local folder; build the sample with a local exportDir, then copy its files there`)
  }
  return dir
}

/**
 * The sample is built only where there is nothing yet: a source with tables, or an export folder
 * with files, may be someone's real data, and the sample drops and rewrites what it consists of.
 */
async function refuseToReplace(source: Database, dir: string): Promise<void> {
  const present = await source.listTables()
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []
  if (present.length === 0 && files.length === 0) return
  const replaced = SUPPORT_TABLES.map((table) => table.name).filter((name) => present.includes(name))
  const found = [present.length ? `${source.description} has tables ${quotedList(present)}` : '', files.length ? `${dir} holds ${quotedList(files)}` : ''].filter(Boolean).join(', and ')
  const drops = replaced.length ? `drop and re-create ${quotedList(replaced)}` : `create ${SUPPORT_TABLES.length} tables beside them`
  throw new EtlError(
    'ETL_ERR_SAMPLE_SOURCE_NOT_EMPTY',
    `${found}; etl demo init would ${drops} and replace the sample's export files in ${dir}; ` +
      'pass --force to replace them, or point connections.support_source (and tasks.WaitForSupportExports.exportDir) at an empty database and folder',
  )
}
