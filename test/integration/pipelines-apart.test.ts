import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { sql } from '../../src/db/sql.js'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE, withEmbeddedDatabase } from './elt-helpers.js'

const TINY = fileURLToPath(new URL('../fixtures/pipelines/tiny/tiny.ts', import.meta.url))

test('pipelines: two on one embedded warehouse keep their own sequences and tables, and an open one blocks neither the other', async (t) => {
  const cwd = await tempDir('etl-pipelines-')
  t.teardown(() => fs.rm(cwd, { recursive: true, force: true }))
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify({ connections: { tiny_source: { dialect: 'pglite', path: 'data/tiny' } } }))
  await withEmbeddedDatabase(cwd, 'tiny', async (db) => {
    await db.query('create table widgets (widget_id int primary key, name text, updated_at timestamp)')
    await db.query("insert into widgets values (1, 'bolt', '2024-01-01 10:00:00'), (2, 'nut', '2024-01-01 11:00:00')")
  })
  const orders = (...args: string[]) => runCli(['run', 'RunJob', '--local-scheduler', '--module', PIPELINE, ...args], cwd)
  const tiny = () => runCli(['run', 'TinyJob', '--local-scheduler', '--module', TINY], cwd)

  t.is((await orders()).code, 0)
  const first = await tiny()
  t.is(first.code, 0, first.stdout + first.stderr)
  t.regex(first.stdout, /TinyStart\(\) .* seq=1 started=true/, 'the orders sequence is not the tiny one')
  t.regex(first.stdout, /TinyLand\(\) .* seq=1 rows=2 /)

  // New data for tiny only: its sequence moves on, the orders pipeline has nothing to do.
  await withEmbeddedDatabase(cwd, 'tiny', (db) => db.query("insert into widgets values (3, 'washer', '2024-01-02 09:00:00')"))
  t.regex((await tiny()).stdout, /TinyStart\(\) .* seq=2 started=true/)
  t.regex((await orders()).stdout, /Nothing to do/)

  // An orders sequence left open by a failure blocks nothing of tiny's.
  t.is((await runCli(['demo', 'advance', '--module', PIPELINE], cwd)).code, 0)
  await withEmbeddedDatabase(cwd, 'warehouse', (db) => db.query('alter table store.order_lines add constraint pipelines_test_fail check (quantity < 0) not valid'))
  t.is((await orders()).code, 3)
  await withEmbeddedDatabase(cwd, 'tiny', (db) => db.query("insert into widgets values (4, 'gear', '2024-01-03 09:00:00')"))
  const third = await tiny()
  t.is(third.code, 0, third.stdout + third.stderr)
  t.regex(third.stdout, /TinyStart\(\) .* seq=3 started=true/)

  await withEmbeddedDatabase(cwd, 'warehouse', async (db) => {
    const sequences = await db.query(sql`select pipeline, exec_seq, status from control.etl_sequence order by pipeline, exec_seq`)
    t.deepEqual(
      sequences.rows.map((row) => `${row.pipeline}:${row.exec_seq}:${row.status}`),
      ['orders:1:COMPLETE', 'orders:2:RUNNING', 'tiny:1:COMPLETE', 'tiny:2:COMPLETE', 'tiny:3:COMPLETE'],
    )
    const windows = await db.query(sql`select distinct pipeline, table_name from control.etl_sequence_table where pipeline = 'tiny'`)
    t.deepEqual(windows.rows.map((row) => row.table_name), ['widgets'], "tiny's windows are its own table's only")
    const tables = await db.query(sql`select table_schema, table_name from information_schema.tables where table_schema in ('landing', 'store', 'tiny_landing', 'tiny_store') order by 1, 2`)
    const where = (schema: string) => tables.rows.filter((row) => row.table_schema === schema).map((row) => String(row.table_name))
    t.deepEqual(where('tiny_store'), ['widgets'], JSON.stringify(tables.rows))
    t.deepEqual(where('tiny_landing'), ['widgets'])
    t.false(where('store').includes('widgets'))
    t.true(where('store').includes('order_lines'))
    t.is(Number((await db.query(sql`select count(*) as n from tiny_store.widgets`)).rows[0]!.n), 4)
  })
})
