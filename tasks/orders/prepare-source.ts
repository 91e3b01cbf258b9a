import fs from 'node:fs'
import path from 'node:path'
import { Task, UnrecoverableTaskError, missingTables, param, type CompletionContext, type TaskContext } from 'etl'
import { ordersSample } from './orders-sample.js'
import { METADATA, ORDERS, dictionaryFiles } from './pipeline.js'
import { ACCESS_LOG_FILE, weblogDir } from './weblog-dir.js'

/**
 * The source is there, with every table the dictionaries name and the access log. On a fresh
 * checkout, where the built-in embedded source has no tables at all and there is no access log, it
 * builds the sample source (`etl demo init`). It never writes to a source it did not create: a table
 * missing from a source that has others, or a source a config points at, is an error naming the fix.
 */
export class PrepareSource extends Task.with({
  scale: param.int({ default: 1, description: 'sample size when the sample source is created (1 ≈ 2,000 order lines)' }),
  seed: param.int({ default: 42, description: 'sample seed when the sample source is created' }),
}) {
  static override readonly description = 'make sure the source has every dictionary table and the access log (creates the sample on a fresh checkout)'

  override async complete(ctx?: CompletionContext): Promise<boolean> {
    if (!ctx) return this.marker().exists()
    const source = await ctx.db(ORDERS.source)
    return (await missingTables(source, METADATA.map((meta) => meta.table))).length === 0 && fs.existsSync(accessLog())
  }

  override async run(ctx: TaskContext) {
    const source = await ctx.db(ORDERS.source)
    if ((await source.listTables()).length === 0 && !fs.existsSync(accessLog())) {
      if (!ctx.data.isBuiltIn(ORDERS.source)) {
        throw new UnrecoverableTaskError(
          `${source.description} has no tables; load the tables the dictionaries name (${dictionaryFiles()}) into it, or build the sample there with etl demo init`,
        )
      }
      return this.#createSample(ctx)
    }
    const missing = await missingTables(source, METADATA.map((meta) => meta.table))
    if (missing.length) throw new UnrecoverableTaskError(missingTablesMessage(source.description, missing))
    if (!fs.existsSync(accessLog())) {
      throw new UnrecoverableTaskError(`the source tables exist but ${accessLog()} does not; put the access log there, or set tasks.ParseWeblog.weblogDir to the folder that has it`)
    }
    return { created: false }
  }

  async #createSample(ctx: TaskContext) {
    ctx.progress('creating the sample source')
    const counts = await ordersSample.init(ctx.data, { scale: this.params.scale, seed: this.params.seed })
    // Nothing else uses the source yet (every other step waits for this one); closing it settles the
    // new data, so the steps after read it in a session with a known data version.
    await ctx.data.release(ORDERS.source)
    ctx.log.info({ counts }, 'created the sample source (etl demo init)')
    return { created: true, ...counts }
  }
}

function accessLog(): string {
  return path.join(weblogDir(), ACCESS_LOG_FILE)
}

function missingTablesMessage(source: string, missing: readonly string[]): string {
  const files = [...new Set(METADATA.filter((meta) => missing.includes(meta.table)).map((meta) => meta.file))].join(', ')
  const list = missing.map((table) => `"${table}"`).join(', ')
  const verb = missing.length === 1 ? `table ${list} does not exist` : `tables ${list} do not exist`
  return `${verb} on ${source}; create ${missing.length === 1 ? 'it' : 'them'} first, or remove ${missing.length === 1 ? 'its entry' : 'their entries'} from ${files}`
}
