import fs from 'node:fs'
import { Task, UnrecoverableTaskError, missingTables, param, quotedList, type CompletionContext, type TaskContext } from 'etl'
import { exportDir } from './export-dir.js'
import { SUPPORT } from './pipeline.js'
import { supportSample } from './support-sample.js'

/** The tables the support dictionary extracts. */
const SUPPORT_TABLE_NAMES = SUPPORT.tables.map((meta) => meta.table)

/**
 * The support source has every table the dictionary names. On a fresh checkout, where the built-in
 * embedded `support_source` has no tables and the export folder is empty, it builds the sample (as
 * `etl demo init --pipeline support` does: tables and export files). It never writes to a source it
 * did not create.
 */
export class PrepareSupportSource extends Task.with({
  scale: param.int({ default: 1, description: 'sample size when the sample is created (1 ≈ 2,000 cases)' }),
  seed: param.int({ default: 42, description: 'sample seed when the sample is created' }),
}) {
  static override readonly description = 'make sure the support source has its tables (creates the sample on a fresh checkout)'

  override async complete(ctx?: CompletionContext): Promise<boolean> {
    if (!ctx) return this.marker().exists()
    return (await missingTables(await ctx.db(SUPPORT.source), SUPPORT_TABLE_NAMES)).length === 0
  }

  override async run(ctx: TaskContext) {
    const source = await ctx.db(SUPPORT.source)
    const dir = exportDir()
    // Exports in S3 are someone's real data: the sample is made only beside a local, empty folder.
    const exportsThere = dir.startsWith('s3://') || (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)
    if ((await source.listTables()).length === 0 && !exportsThere) {
      if (!ctx.data.isBuiltIn(SUPPORT.source)) {
        throw new UnrecoverableTaskError(`${source.description} has no tables; load analysts, products and cases into it, or build the sample there with etl demo init --pipeline support`)
      }
      ctx.progress('creating the support sample')
      const counts = await supportSample.init(ctx.data, { scale: this.params.scale, seed: this.params.seed })
      await ctx.data.release(SUPPORT.source)
      ctx.log.info({ counts }, 'created the support sample (etl demo init --pipeline support)')
      return { created: true, ...counts }
    }
    const absent = await missingTables(source, SUPPORT_TABLE_NAMES)
    if (absent.length) {
      const files = [...new Set(SUPPORT.tables.map((meta) => meta.file))].join(', ')
      throw new UnrecoverableTaskError(`${quotedList(absent)} missing on ${source.description}; create them, or remove their entries from ${files}`)
    }
    return { created: false }
  }
}
