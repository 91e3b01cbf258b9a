import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { PgliteDatabase } from '../../src/db/pglite/pglite-database.js'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE } from './elt-helpers.js'

/**
 * Turns a warehouse and its markers into what the release before pipelines and migrations left: one
 * unkeyed sequence counter in `control.etl_execution`, no warehouse identity, no migrations table,
 * and markers that record only their sequence.
 */
async function asPreviousRelease(cwd: string): Promise<void> {
  const warehouse = new PgliteDatabase('warehouse', { dialect: 'pglite', path: path.join(cwd, 'data', 'warehouse') })
  try {
    // The previous release's DDL, as it created its control tables.
    await warehouse.query(`create table control.etl_execution (
      exec_seq bigint not null primary key, status varchar(16) not null, started_at timestamp not null, ended_at timestamp null)`)
    await warehouse.query(`create table control.etl_execution_table (
      exec_seq bigint not null, table_name varchar(128) not null, start_watermark varchar(64), end_watermark varchar(64),
      extracted_rows bigint, loaded_rows bigint, upserted_rows bigint, primary key (exec_seq, table_name))`)
    await warehouse.query(`insert into control.etl_execution select exec_seq, status, started_at, ended_at from control.etl_sequence`)
    await warehouse.query(`insert into control.etl_execution_table select exec_seq, table_name, start_watermark, end_watermark, extracted_rows, loaded_rows, upserted_rows from control.etl_sequence_table`)
    for (const table of ['control.etl_sequence_table', 'control.etl_sequence', 'control.etl_warehouse', 'control.etl_migrations', 'public.etl_migrations']) await warehouse.query(`drop table ${table}`)
  } finally {
    await warehouse.close()
  }
  const output = path.join(cwd, 'output')
  for (const family of await fs.readdir(output)) {
    if (family.startsWith('.') || family === 'reports') continue
    for (const file of await fs.readdir(path.join(output, family))) {
      const marker = path.join(output, family, file)
      const record = JSON.parse(await fs.readFile(marker, 'utf8'))
      if (record.result) delete record.result.warehouse
      await fs.writeFile(marker, JSON.stringify(record))
    }
  }
  await fs.rm(path.join(output, '.settled'), { recursive: true, force: true })
}

test('upgrade: a warehouse the previous release built is migrated in place, and RunJob\'s next run is still a no-op', async (t) => {
  const cwd = await tempDir('etl-upgrade-')
  t.teardown(() => fs.rm(cwd, { recursive: true, force: true }))
  const run = () => runCli(['run', 'RunJob', '--local-scheduler', '--module', PIPELINE], cwd)
  t.is((await run()).code, 0)
  await asPreviousRelease(cwd)

  const upgraded = await run()
  t.is(upgraded.code, 0, upgraded.stdout + upgraded.stderr)
  t.regex(upgraded.stdout, /Nothing to do: every task was already complete/)

  const warehouse = new PgliteDatabase('warehouse', { dialect: 'pglite', path: path.join(cwd, 'data', 'warehouse') })
  try {
    const migrations = await warehouse.query(`select id, name from control.etl_migrations where component = 'etl.control' order by id`)
    t.deepEqual(migrations.rows.map((row) => Number(row.id)), [1, 2, 3, 4])
    const sequences = await warehouse.query(`select pipeline, exec_seq, status from control.etl_sequence`)
    t.deepEqual(sequences.rows, [{ pipeline: 'orders', exec_seq: '1', status: 'COMPLETE' }], 'the unkeyed sequence is the orders pipeline\'s now')
    t.false(await warehouse.tableExists({ schema: 'control', name: 'etl_execution' }))
    const identity = await warehouse.query(`select adopted_through from control.etl_warehouse`)
    t.deepEqual(identity.rows, [{ adopted_through: '1' }])
  } finally {
    await warehouse.close()
  }

  // The next sequence works as on a new warehouse, and its markers carry the identity.
  t.is((await runCli(['demo', 'advance', '--module', PIPELINE], cwd)).code, 0)
  const next = await run()
  t.is(next.code, 0, next.stdout + next.stderr)
  t.regex(next.stdout, /StartExecution\(\) .* seq=2 started=true warehouse=[0-9a-f]{16}/)
})
