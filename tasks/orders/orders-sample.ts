import fs from 'node:fs'
import path from 'node:path'
import { EtlError, defineSampleData, type Database } from 'etl'
import { ORDERS } from './pipeline.js'
import { DEMO_TABLES } from './sample/demo-schema.js'
import { advanceDemoSource, initDemoSource } from './sample/demo-source.js'
import { ACCESS_LOG_FILE, IP_RANGES_FILE, weblogDir } from './weblog-dir.js'

/** Table names shown in a message before the rest is only counted. */
const NAMES_SHOWN = 10

/**
 * The orders pipeline's sample (`etl demo init|advance --pipeline orders`): the six order tables in
 * the `source` connection and the access log with its IP ranges in the web log folder.
 */
export const ordersSample = defineSampleData({
  pipeline: 'orders',
  description: 'six order tables in connection "source", an access log and its IP ranges',
  async init(data, options) {
    const source = await data.database(ORDERS.source)
    const dir = weblogDir()
    if (!options.force) await refuseToReplace(source, dir)
    return initDemoSource(source, { scale: options.scale ?? 1, seed: options.seed ?? 42, weblogDir: dir })
  },
  async advance(data, options) {
    const source = await data.database(ORDERS.source)
    const missing = await missingTables(source, DEMO_TABLES.map((table) => table.name))
    if (missing.length) {
      throw new EtlError(
        'ETL_ERR_SAMPLE_SOURCE_MISSING',
        `${source.description} has no sample to advance: ${names(missing)} ${missing.length === 1 ? 'is' : 'are'} missing; run etl demo init first`,
      )
    }
    return advanceDemoSource(source, { seed: options.seed ?? 42, weblogDir: weblogDir() })
  },
})

/** The tables among `tables` that `source` does not have. */
export async function missingTables(source: Database, tables: readonly string[]): Promise<string[]> {
  const missing: string[] = []
  for (const table of tables) if (!(await source.tableExists(table))) missing.push(table)
  return missing
}

/**
 * The sample is built only where there is nothing yet: a source with tables, or a log folder with
 * an access log, may be someone's real data, and the sample drops and rewrites what it consists of.
 */
async function refuseToReplace(source: Database, dir: string): Promise<void> {
  const present = await source.listTables()
  const log = path.join(dir, ACCESS_LOG_FILE)
  const logExists = fs.existsSync(log)
  if (present.length === 0 && !logExists) return
  const replaced = DEMO_TABLES.map((table) => table.name).filter((name) => present.includes(name))
  const found = [present.length ? `tables ${names(present)}` : '', logExists ? log : ''].filter(Boolean).join(' and ')
  const drops = replaced.length ? `drop and re-create ${names(replaced)}` : `create ${DEMO_TABLES.length} tables beside them`
  throw new EtlError(
    'ETL_ERR_SAMPLE_SOURCE_NOT_EMPTY',
    `${source.description} is not empty: it has ${found}. etl demo init would ${drops}, and write ${log} and ${path.join(dir, IP_RANGES_FILE)} anew; ` +
      'pass --force to replace them, or point connections.source (and tasks.ParseWeblog.weblogDir) at an empty database and folder',
  )
}

function names(tables: readonly string[]): string {
  const shown = tables.slice(0, NAMES_SHOWN).map((name) => `"${name}"`)
  const more = tables.length > NAMES_SHOWN ? ` and ${tables.length - NAMES_SHOWN} more` : ''
  return `${shown.join(', ')}${more}`
}
