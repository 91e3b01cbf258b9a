import fs from 'node:fs/promises'
import path from 'node:path'
import test, { type ExecutionContext } from 'ava'
import { sql } from '../../src/db/sql.js'
import type { Database } from '../../src/db/database.js'
import { DEMO_TABLES } from '../../tasks/orders/sample/demo-schema.js'
import { runCli } from '../helpers/cli.js'
import { MARIADB, scratchMysql } from '../helpers/databases.js'
import { addDictionaryEntry, pipelineProject, type PipelineProject } from '../helpers/pipeline-project.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE, withEmbeddedDatabase } from './elt-helpers.js'

/** A table a user adds to the dictionary before the source has it. */
const INVOICES = { table: 'invoices', columns: ['invoice_no', 'updated_datetime'], watermark: 'updated_datetime', key: ['invoice_no'] }

async function project(t: ExecutionContext): Promise<PipelineProject & { run(...args: string[]): ReturnType<typeof runCli> }> {
  const copy = await pipelineProject()
  t.teardown(() => copy.remove())
  return { ...copy, run: (...args: string[]) => runCli([...args, '--module', copy.module], copy.cwd) }
}

async function count(db: Database, table: string): Promise<number> {
  return Number((await db.query(sql`select count(*) as n from ${sql.id(table)}`)).rows[0]!.n)
}

async function logLines(cwd: string): Promise<number> {
  return (await fs.readFile(path.join(cwd, 'data', 'weblog', 'access.log'), 'utf8')).split('\n').filter(Boolean).length
}

test('source safety: on the embedded default, a dictionary entry for a table the source lacks is refused before anything runs, and the source is left as it was', async (t) => {
  const p = await project(t)
  t.is((await p.run('run', 'RunJob', '--local-scheduler')).code, 0)
  t.is((await p.run('demo', 'advance')).code, 0)
  const before = await withEmbeddedDatabase(p.cwd, 'source', (source) => count(source, 'order_lines'))
  const lines = await logLines(p.cwd)

  await addDictionaryEntry(p.dictionary, INVOICES)
  const refused = await p.run('run', 'RunJob', '--local-scheduler')
  t.is(refused.code, 3, refused.stdout + refused.stderr)
  t.regex(refused.stdout, /✗ PrepareSource\(.*\n\s+table "invoices" does not exist on connection "source" \(pglite at .*\); create it first, or remove its entry from .*orders\.json/)
  t.notRegex(refused.stdout + refused.stderr, /created the sample source/)
  t.notRegex(refused.stdout, /✓ StartExecution/)

  t.is(await withEmbeddedDatabase(p.cwd, 'source', (source) => count(source, 'order_lines')), before, 'the source tables are untouched')
  t.is(await logLines(p.cwd), lines, 'the access log is untouched')
  const sequences = await withEmbeddedDatabase(p.cwd, 'warehouse', async (warehouse) => (await warehouse.query(sql`select exec_seq, status from control.etl_sequence where pipeline = 'orders' order by exec_seq`)).rows)
  t.deepEqual(sequences.map((row) => `${row.exec_seq}:${row.status}`), ['1:COMPLETE'], 'no sequence was opened')
})

test('source safety: on a MariaDB source, a missing dictionary table is refused and nothing is written to the source; an empty one is never filled with the sample', async (t) => {
  const p = await project(t)
  const source = await scratchMysql('source')
  t.teardown(() => source.drop())
  const config = { connections: { source: { dialect: 'mysql', host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database: source.namespace } } }
  await fs.writeFile(path.join(p.cwd, 'etl.config.json'), JSON.stringify(config))

  // An empty source that the config names: RunJob says what to do and writes nothing.
  const empty = await p.run('run', 'RunJob', '--local-scheduler')
  t.is(empty.code, 3, empty.stdout + empty.stderr)
  t.regex(empty.stdout, /connection "source" \(mysql .*\) has no tables; load the tables the dictionaries name .* or build the sample there with etl demo init/)
  t.deepEqual(await source.db.listTables(), [])
  await t.throwsAsync(fs.access(path.join(p.cwd, 'data', 'weblog', 'access.log')), undefined, 'no access log was made either')

  t.is((await p.run('demo', 'init', '--seed', '3')).code, 0)
  t.is((await p.run('run', 'RunJob', '--local-scheduler')).code, 0)
  t.is((await p.run('demo', 'advance')).code, 0)
  const before = Object.fromEntries(await Promise.all(DEMO_TABLES.map(async (table) => [table.name, await count(source.db, table.name)] as const)))
  const lines = await logLines(p.cwd)

  await addDictionaryEntry(p.dictionary, INVOICES)
  const refused = await p.run('run', 'RunJob', '--local-scheduler')
  t.is(refused.code, 3, refused.stdout + refused.stderr)
  t.regex(refused.stdout, /table "invoices" does not exist on connection "source" \(mysql .*\); create it first/)
  t.notRegex(refused.stdout, /✓ StartExecution/)
  const after = Object.fromEntries(await Promise.all(DEMO_TABLES.map(async (table) => [table.name, await count(source.db, table.name)] as const)))
  t.deepEqual(after, before)
  t.is(await logLines(p.cwd), lines)

  // Once the table exists, the same command picks it up.
  await source.db.query('create table invoices (invoice_no int primary key, updated_datetime datetime)')
  await source.db.query("insert into invoices values (1, '2024-05-01 10:00:00')")
  const resumed = await p.run('run', 'RunJob', '--local-scheduler')
  t.is(resumed.code, 0, resumed.stdout + resumed.stderr)
  t.regex(resumed.stdout, /LandTable\(table=invoices\) .* rows=1 /)
})

test('demo: init refuses a source that has tables, naming what it would drop, and --force replaces them', async (t) => {
  const p = await project(t)
  const source = await scratchMysql('source')
  t.teardown(() => source.drop())
  const config = { connections: { source: { dialect: 'mysql', host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database: source.namespace } } }
  await fs.writeFile(path.join(p.cwd, 'etl.config.json'), JSON.stringify(config))
  await source.db.query('create table keep_me (id int)')
  await source.db.query('create table order_lines (id int)')

  const refused = await p.run('demo', 'init')
  t.is(refused.code, 5, refused.stderr)
  t.regex(refused.stderr, /connection "source" \(mysql .*\) is not empty: it has tables "keep_me", "order_lines"\. etl demo init would drop and re-create "order_lines", and write data\/weblog\/access\.log .* pass --force/)
  t.deepEqual(await source.db.listTables(), ['keep_me', 'order_lines'])

  const forced = await p.run('demo', 'init', '--force')
  t.is(forced.code, 0, forced.stderr)
  t.deepEqual(await source.db.listTables(), [...DEMO_TABLES.map((table) => table.name), 'keep_me'].sort())
  t.is(await count(source.db, 'keep_me'), 0, 'a table that is not part of the sample is left alone')
  t.true((await count(source.db, 'order_lines')) > 1000)

  // On a source that is there, advance works; on one without the sample, it says so.
  t.is((await p.run('demo', 'advance')).code, 0)
  await source.db.query('drop table order_lines')
  const advance = await p.run('demo', 'advance')
  t.is(advance.code, 5)
  t.regex(advance.stderr, /has no sample to advance: "order_lines" is missing; run etl demo init first/)
})

test('source safety: a table no dictionary names is refused before anything runs, with the tables there are', async (t) => {
  const cwd = await tempDir()
  t.teardown(() => fs.rm(cwd, { recursive: true, force: true }))
  const result = await runCli(['run', 'LandTable', '--table', 'nosuch', '--local-scheduler', '--module', PIPELINE], cwd)
  t.is(result.code, 5, result.stdout + result.stderr)
  t.regex(result.stderr, /invalid value "nosuch" for --table of task 'LandTable': expected one of companies, customers, products, product_prices, order_headers, order_lines/)
  t.deepEqual(await fs.readdir(cwd), [], 'nothing was created')
})
