import fs from 'node:fs'
import path from 'node:path'
import { ACCESS_LOG_FILE, Task, initDemoSource, param, type CompletionContext, type TaskContext } from 'etl'
import { METADATA, SOURCE } from './pipeline.js'
import { DEFAULT_WEBLOG_DIR } from './sequence-task.js'

/**
 * The source is there: on a fresh checkout (no source tables, no access log) it builds the sample
 * source, as `etl demo init` would; a source that exists is never touched.
 */
export class PrepareSource extends Task.with({
  scale: param.int({ default: 1, description: 'sample size when the source must be created (1 ≈ 2,000 order lines)' }),
  seed: param.int({ default: 42, description: 'sample seed when the source must be created' }),
  weblogDir: param.string({ default: DEFAULT_WEBLOG_DIR, description: 'folder of access.log and ip-ranges.csv' }),
}) {
  static override readonly description = 'make sure the source exists (creates the sample source on a fresh checkout)'

  override async complete(ctx?: CompletionContext): Promise<boolean> {
    if (!ctx) return this.marker().exists()
    return (await this.#sourceExists(ctx)) && fs.existsSync(path.join(this.params.weblogDir, ACCESS_LOG_FILE))
  }

  override async run(ctx: TaskContext) {
    if (await this.#sourceExists(ctx)) {
      if (!fs.existsSync(path.join(this.params.weblogDir, ACCESS_LOG_FILE))) {
        throw new Error(`the source tables exist but ${path.join(this.params.weblogDir, ACCESS_LOG_FILE)} does not; put the access log there or set tasks.ParseWeblog.weblogDir`)
      }
      return { created: false }
    }
    ctx.progress('creating the sample source')
    const counts = await initDemoSource(await ctx.db(SOURCE), { scale: this.params.scale, seed: this.params.seed, weblogDir: this.params.weblogDir })
    // Nothing else uses the source yet (every other step waits for this one); closing it settles the
    // new data, so the steps after read it in a session with a known data version.
    await ctx.data.release(SOURCE)
    ctx.log.info({ counts }, 'created the sample source (etl demo init)')
    return { created: true, ...counts }
  }

  async #sourceExists(ctx: { db(name: string): Promise<import('etl').Database> }): Promise<boolean> {
    const source = await ctx.db(SOURCE)
    for (const meta of METADATA) if (!(await source.tableExists(meta.table))) return false
    return true
  }
}
