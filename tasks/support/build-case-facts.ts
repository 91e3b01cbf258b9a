import path from 'node:path'
import { runSqlFolder, type TaskContext } from 'etl'
import { STAGING_SQL_DIR, SUPPORT } from './pipeline.js'
import { StageCaseLogs, StageSla } from './stage-export-files.js'
import { StageSourceTable } from './stage-source-table.js'

/** The columns `sql/support/staging/tables/010_case_facts_table*.sql` gives `staging.case_facts`. */
export const CASE_FACTS_COLUMNS = [
  'case_id',
  'product_id',
  'priority',
  'created_date',
  'assigned_date',
  'response_date',
  'resolve_date',
  'aid',
  'response_sla_hours',
  'resolve_sla_hours',
  'exec_seq',
] as const

/** The indexes a merge reads the staged cases and events by (StageCaseLogs leaves the events' to this step). */
const CASE_INDEXES: readonly (readonly [string, string[]])[] = [
  ['staging.cases', ['exec_seq']],
  ['staging.case_events', ['exec_seq']],
  ['staging.case_events', ['case_id']],
]

/**
 * Turns the staged cases and case events into `staging.case_facts`, one row per case with its
 * milestones, running the `.sql` files of `sql/support/staging/` in name order with `:exec_seq`:
 * `tables/`, then `initial/` while the table is empty (a first load, every case at once, with
 * `statistics/` beside it) or `merge/` after (only the cases the sequence touched are refreshed).
 */
export class BuildCaseFacts extends SUPPORT.Step {
  static override readonly description = 'build staging.case_facts (each touched case with its milestones) from cases and case events'

  override requires() {
    return [new StageSourceTable({ table: 'cases' }), new StageCaseLogs(), new StageSla()]
  }

  override async run(ctx: TaskContext) {
    const current = await SUPPORT.running(ctx)
    const warehouse = await ctx.db(SUPPORT.warehouse)
    const run = (folder: string) => runSqlFolder(warehouse, path.join(STAGING_SQL_DIR, folder), { exec_seq: current.seq }, (file, done, total) => ctx.progress(`running ${folder}/${file}.sql`, { done, total }))
    const tables = await run('tables')
    const initial = (await warehouse.query('select case_id from staging.case_facts limit 1')).rows.length === 0
    // A merge finds the sequence's cases and their events through these indexes, and plans by the
    // tables' statistics. A first load reads every event and needs neither, so it builds them on
    // another connection while it runs: each index is a sort of millions of events, done once, on the
    // other core. One at a time, so that they never take the first load's core from it.
    const indexes = async () => {
      for (const [table, columns] of CASE_INDEXES) await warehouse.ensureIndex(table, columns)
    }
    if (!initial) await indexes()
    const [facts] = await Promise.all([run(initial ? 'initial' : 'merge'), initial ? indexes().then(() => run('statistics')) : undefined])
    return SUPPORT.result(current, { load: initial ? 'initial' : 'merge', files: [...tables, ...facts] })
  }
}
