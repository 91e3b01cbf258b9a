import { EXEC_SEQ_COLUMN, ExecutionControl, TableUpdateTarget, createSchemaSql, landingTableSql, param, qualified, sourceColumns, sql, type TaskContext } from 'etl'
import { ExtractTable } from './extract-table.js'
import { SOURCE, WAREHOUSE, landingKey, tableMetadata } from './pipeline.js'
import { SequenceStep, runningSequence } from './sequence-task.js'

/**
 * Loads one table's landing file into its landing table (created from the source's description), with
 * the sequence's rows replaced and the marker-table row written in the same transaction.
 */
export class LoadLanding extends SequenceStep.with({ table: param.string({ description: 'the source table, as its dictionary names it' }) }) {
  static override readonly description = 'load one landing file into its landing table (rows carry exec_seq)'

  override requires() {
    return new ExtractTable({ table: this.params.table })
  }


  override async run(ctx: TaskContext) {
    const meta = tableMetadata(this.params.table)
    const { seq } = await runningSequence(ctx)
    const warehouse = await ctx.db(WAREHOUSE)
    const source = await ctx.db(SOURCE)
    const columns = sourceColumns(meta, (await source.describeTable(meta.table)).columns)
    await warehouse.query(createSchemaSql(meta.landing.schema))
    await warehouse.query(landingTableSql(warehouse, meta, columns))
    const landing = qualified(meta.landing)
    const target = new TableUpdateTarget(warehouse, landing, `exec_seq=${seq}`)
    // A rerun (its output marker deleted) loads again: the sequence's rows are replaced, not doubled.
    await target.remove()
    const control = new ExecutionControl(warehouse)
    const outcome = await target.commit(async (tx) => {
      await tx.query(sql`delete from ${sql.id(meta.landing.schema, meta.landing.name)} where ${sql.id('exec_seq')} = ${seq}`)
      const loaded = await ctx.data.loadFromLake(tx, landing, landingKey(meta.table, seq))
      await control.count(seq, meta.table, 'loaded_rows', loaded.rows, tx)
      return loaded
    })
    // Landing keeps every sequence; what reads it reads one (the upsert, a rerun's delete, the pres
    // refresh). Created after the first load, by one sort, rather than maintained row by row during it.
    await warehouse.ensureIndex(landing, [EXEC_SEQ_COLUMN.name])
    return { seq, rows: outcome.skipped ? 0 : outcome.result.rows }
  }
}
