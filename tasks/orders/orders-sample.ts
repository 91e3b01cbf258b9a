import fs from 'node:fs'
import path from 'node:path'
import { EtlError, defineSampleData, missingTables, quotedList, type Database } from 'etl'
import { ORDERS } from './pipeline.js'
import { DEMO_TABLES } from './sample/demo-schema.js'
import { advanceDemoSource, initDemoSource } from './sample/demo-source.js'
import { ACCESS_LOG_FILE, IP_RANGES_FILE, weblogDir } from './weblog-dir.js'


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
        `${source.description} has no sample to advance: ${quotedList(missing)} ${missing.length === 1 ? 'is' : 'are'} missing; run etl demo init first`,
      )
    }
    return advanceDemoSource(source, { seed: options.seed ?? 42, weblogDir: weblogDir() })
  },
})

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
  const found = [present.length ? `tables ${quotedList(present)}` : '', logExists ? log : ''].filter(Boolean).join(' and ')
  const drops = replaced.length ? `drop and re-create ${quotedList(replaced)}` : `create ${DEMO_TABLES.length} tables beside them`
  throw new EtlError(
    'ETL_ERR_SAMPLE_SOURCE_NOT_EMPTY',
    `${source.description} is not empty: it has ${found}. etl demo init would ${drops}, and write ${log} and ${path.join(dir, IP_RANGES_FILE)} anew; ` +
      'pass --force to replace them, or point connections.source (and tasks.ParseWeblog.weblogDir) at an empty database and folder',
  )
}
