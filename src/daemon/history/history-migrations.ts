import type { MigrationSet } from '../../db/migrations/migration.js'

/**
 * The run history's migrations, recorded in `<schema>.etl_migrations` (the history database is
 * Postgres or PGlite, so its SQL is written for them). The first release's tables were made with
 * `if not exists`, so a history that release started is adopted by migration 1 as it stands.
 */
export function historyMigrations(schema: string): MigrationSet {
  const q = (name: string) => `"${schema}".${name}`
  return {
    component: 'etl.history',
    table: { schema, name: 'etl_migrations' },
    schema,
    migrations: [
      {
        id: 1,
        name: 'attempts, runs and schedule runs',
        async up(tx) {
          for (const statement of [
            `CREATE TABLE IF NOT EXISTS ${q('etl_attempts')} (
              task_id text NOT NULL, worker_id text NOT NULL, taken_at bigint NOT NULL,
              run_id text NOT NULL, family text NOT NULL, params jsonb NOT NULL, status text NOT NULL,
              started_at bigint NOT NULL, ended_at bigint, error jsonb, result jsonb, log jsonb,
              PRIMARY KEY (task_id, worker_id, taken_at))`,
            `CREATE INDEX IF NOT EXISTS etl_attempts_run ON ${q('etl_attempts')} (run_id, started_at)`,
            `CREATE INDEX IF NOT EXISTS etl_attempts_task ON ${q('etl_attempts')} (task_id, taken_at DESC)`,
            `CREATE TABLE IF NOT EXISTS ${q('etl_runs')} (
              run_id text PRIMARY KEY, label text NOT NULL, started_at bigint NOT NULL, ended_at bigint,
              status text NOT NULL, root_ids jsonb NOT NULL, worker_ids jsonb NOT NULL)`,
            `CREATE INDEX IF NOT EXISTS etl_runs_started ON ${q('etl_runs')} (started_at DESC)`,
            `CREATE TABLE IF NOT EXISTS ${q('etl_schedule_runs')} (
              id text PRIMARY KEY, schedule text NOT NULL, task text NOT NULL, due_at bigint NOT NULL,
              started_at bigint, ended_at bigint, status text NOT NULL, exit_code integer, run_id text,
              message text, output_tail text)`,
            `CREATE INDEX IF NOT EXISTS etl_schedule_runs_due ON ${q('etl_schedule_runs')} (due_at DESC)`,
          ]) {
            await tx.query(statement)
          }
        },
      },
      {
        id: 2,
        name: 'rows say whether they were masked on the way in',
        async up(tx) {
          // Older rows (false) are masked when read; rows since are masked before they are written.
          for (const table of ['etl_attempts', 'etl_runs', 'etl_schedule_runs']) {
            await tx.query(`ALTER TABLE ${q(table)} ADD COLUMN IF NOT EXISTS masked boolean NOT NULL DEFAULT false`)
          }
        },
      },
    ],
  }
}
