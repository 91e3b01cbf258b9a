import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test, { type ExecutionContext } from 'ava'
import pg from 'pg'
import { PgliteDatabase } from '../../src/db/pglite/pglite-database.js'
import { RedshiftDatabase } from '../../src/db/redshift/redshift-database.js'
import { sql } from '../../src/db/sql.js'
import { runCli } from '../helpers/cli.js'
import { POSTGRES, randomName, scratchMysql, scratchPostgres, type ScratchDatabase } from '../helpers/databases.js'
import { pipelineProject } from '../helpers/pipeline-project.js'
import { RedshiftDataApiServer } from '../helpers/redshift-data-api-server.js'
import { exists, tempDir } from '../helpers/sandbox.js'
import { PIPELINE, withEmbeddedDatabase } from '../integration/elt-helpers.js'

const CHECK_TASKS = fileURLToPath(new URL('../fixtures/tasks/check-tasks.ts', import.meta.url))
const TABLES = ['companies', 'customers', 'products', 'product_prices', 'order_headers', 'order_lines']

async function workingFolder(t: ExecutionContext): Promise<string> {
  const cwd = await tempDir('etl-check-')
  t.teardown(() => fs.rm(cwd, { recursive: true, force: true }))
  return cwd
}

/** Every file under `dir` with a hash of its bytes, so any write shows. */
async function files(dir: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {}
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await fs.readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const file = path.join(folder, entry.name)
      if (entry.isDirectory()) await walk(file)
      else found[path.relative(dir, file)] = createHash('sha256').update(await fs.readFile(file)).digest('hex')
    }
  }
  await walk(dir)
  return found
}

/** The warehouse's control tables and markers, as rows. */
function controlState(cwd: string): Promise<unknown> {
  return withEmbeddedDatabase(cwd, 'warehouse', async (warehouse) => ({
    warehouse: (await warehouse.query('select * from control.etl_warehouse')).rows,
    sequences: (await warehouse.query('select * from control.etl_sequence order by pipeline, exec_seq')).rows,
    tables: (await warehouse.query('select * from control.etl_sequence_table order by pipeline, exec_seq, table_name')).rows,
    markers: (await warehouse.query('select * from etl_table_updates order by update_id')).rows,
  }))
}

test('check: etl check RunJob on a built sample prints each table’s query with its row count and exits 0, writing nothing', async (t) => {
  t.timeout(120_000)
  const cwd = await workingFolder(t)
  const run = (...args: string[]) => runCli([...args, '--module', PIPELINE], cwd)
  t.is((await run('demo', 'init', '--pipeline', 'orders')).code, 0)
  const counts = await withEmbeddedDatabase(cwd, 'source', async (source) =>
    Object.fromEntries(await Promise.all(TABLES.map(async (table) => [table, Number((await source.query(sql`select count(*) as n from ${sql.id(table)}`)).rows[0]!.n)] as const))),
  )

  const checked = await run('check', 'RunJob')
  t.is(checked.code, 0, checked.stdout + checked.stderr)
  t.regex(checked.stdout, /^Checking 6 source queries below RunJob\(\), each in a read-only transaction that is rolled back:\n\nconnection "source" \(pglite at .*data\/source\)\n/)
  for (const table of TABLES) {
    t.regex(checked.stdout, new RegExp(`  ✓ ${table}: ${counts[table]} rows  \\d+ms  LandTable\\(table=${table}\\)\\n {6}select "[^\\n]+ from "${table}"\\n`))
  }
  t.regex(checked.stdout, /\n6 source queries: 6 work, 0 failed\n$/)
  // Only the source was read: no warehouse, lake, marker or report was made.
  for (const folder of ['data/warehouse', 'lake', 'output', 'completed']) t.false(await exists(path.join(cwd, folder)), `${folder} was made`)

  // After a run, a check changes no marker, report, lake file or control row, and the source keeps
  // its data version: the next run still knows there is nothing new without looking.
  t.is((await run('run', 'RunJob', '--local-scheduler')).code, 0)
  const before = { output: await files(path.join(cwd, 'output')), lake: await files(path.join(cwd, 'lake')), control: await controlState(cwd) }
  const again = await run('check', 'RunJob')
  t.is(again.code, 0, again.stdout + again.stderr)
  t.deepEqual({ output: await files(path.join(cwd, 'output')), lake: await files(path.join(cwd, 'lake')), control: await controlState(cwd) }, before)
  const extracted = await withEmbeddedDatabase(cwd, 'warehouse', async (warehouse) => (await warehouse.query("select table_name, extracted_rows from control.etl_sequence_table where exec_seq = 1 and table_name <> 'weblog_access'")).rows)
  for (const row of extracted) t.regex(again.stdout, new RegExp(`✓ ${String(row.table_name)}: ${Number(row.extracted_rows)} rows`), 'the first sequence extracted what check counts')
  const rerun = await run('run', 'RunJob', '--local-scheduler')
  t.regex(rerun.stdout, /Nothing to do: every task was already complete \(1 checked/)
})

test('check: on a fresh checkout the embedded source is not created: each query fails saying there is no database yet', async (t) => {
  const cwd = await workingFolder(t)
  const checked = await runCli(['check', 'RunJob', '--module', PIPELINE], cwd)
  t.is(checked.code, 3, checked.stdout + checked.stderr)
  t.regex(checked.stdout, /✗ companies: failed {2}\d+ms {2}LandTable\(table=companies\)\n.*\n {6}no database there yet, and a read-only transaction does not make one; the first run that uses the connection does\n/)
  t.regex(checked.stdout, /✗ customers: failed {2}LandTable\(table=customers\)\n.*\n {6}not run: the connection failed \(above\)\n/)
  t.regex(checked.stdout, /6 source queries: 0 work, 6 failed\n$/)
  t.deepEqual(await fs.readdir(cwd), [], 'nothing was made in the working folder')
})

test('check: a dictionary naming a column the source lacks exits 3, naming the table’s query and the database’s error', async (t) => {
  t.timeout(60_000)
  const project = await pipelineProject()
  t.teardown(() => project.remove())
  // The orders pipeline alone: the copy has none of the packages other pipelines may import.
  await fs.writeFile(project.module, "export * from './orders/index.js'\n")
  const run = (...args: string[]) => runCli([...args, '--module', project.module], project.cwd)
  t.is((await run('demo', 'init', '--pipeline', 'orders')).code, 0)
  const dictionary = JSON.parse(await fs.readFile(project.dictionary, 'utf8')) as { tables: { table: string; columns: string[] }[] }
  dictionary.tables.find((entry) => entry.table === 'customers')!.columns.push('nickname')
  await fs.writeFile(project.dictionary, JSON.stringify(dictionary, null, 2))

  const checked = await run('check', 'RunJob')
  t.is(checked.code, 3, checked.stdout + checked.stderr)
  t.regex(checked.stdout, /  ✗ customers: failed  \d+ms  LandTable\(table=customers\)\n {6}select "customer_document_no", .*"is_deleted", "nickname" from "customers"\n {6}column "nickname" does not exist \(42703\)\n/)
  t.regex(checked.stdout, /✓ order_lines: \d+ rows/)
  t.regex(checked.stdout, /\n6 source queries: 5 work, 1 failed\n$/)
})

test('check: a broken query exits 3 naming the query and its error; a query two tasks declare is run once, and no task is run or asked about', async (t) => {
  const cwd = await workingFolder(t)
  // The default embedded source, made (empty) before: check does not make one.
  await withEmbeddedDatabase(cwd, 'source', (source) => source.ping())
  const checked = await runCli(['check', 'CheckAll', '--tag', 'x', '--module', CHECK_TASKS], cwd)
  t.is(checked.code, 3, checked.stdout + checked.stderr)
  t.regex(checked.stdout, /^Checking 3 source queries below CheckAll\(tag=x\), each in a read-only transaction that is rolled back:\n\n✗ CannotList\(tag=x\): sourceQueries\(\) failed: no dictionary for x\n\n/)
  t.regex(
    checked.stdout,
    /connection "source" \(pglite at .*data\/source\)\n  ✓ namespaces: \d+ rows  \d+ms  ReadsNamespaces\(tag=x\), AlsoReadsNamespaces\(tag=x\)\n {6}select "nspname" from "pg_catalog"."pg_namespace" where "nspname" <> \$1\n {6}values: \["no such schema"\]\n/,
  )
  t.regex(checked.stdout, /  ✗ classes: failed  \d+ms  ReadsMissingColumn\(tag=x\)\n {6}select relname, no_such_column from pg_catalog.pg_class\n {6}column "no_such_column" does not exist \(42703\)\n/)
  t.regex(checked.stdout, /connection "nowhere"\n  ✗ anything: failed  \d+ms  ReadsNowhere\(tag=x\)\n {6}select 1\n {6}unknown connection "nowhere"; known: /)
  t.regex(checked.stdout, /\n3 source queries: 1 works, 2 failed; 1 task could not list its queries\n$/)
  t.notRegex(checked.stdout + checked.stderr, /etl check (ran|asked)/)
  t.deepEqual(await fs.readdir(cwd), ['data'], 'no marker, lake or other database folder was made')
  t.deepEqual(await fs.readdir(path.join(cwd, 'data')), ['source'])

  const good = await runCli(['check', 'CheckGood', '--tag', 'x', '--module', CHECK_TASKS], cwd)
  t.is(good.code, 0, good.stdout + good.stderr)
  t.regex(good.stdout, /\n1 source query: 1 works, 0 failed\n$/)
})

/** A table with one row, a write inside `readOnly` that the database refuses, and the row still alone. */
async function refusesWrites(t: ExecutionContext, scratch: ScratchDatabase): Promise<void> {
  const { db } = scratch
  await db.query('create table kept (id int)')
  await db.query(sql`insert into ${sql.id('kept')} (id) values (${1})`)
  const error = await t.throwsAsync(db.readOnly((tx) => tx.query(sql`insert into ${sql.id('kept')} (id) values (${2})`)))
  t.is((error as { code?: string }).code, 'ETL_ERR_DB_QUERY_FAILED')
  t.regex(error.message, /read[- ]only transaction/i)
  await t.throwsAsync(db.readOnly((tx) => tx.query(sql`update ${sql.id('kept')} set id = ${3}`)), { message: /read[- ]only transaction/i })
  // Reads work, and the connection is fit for ordinary writes afterwards.
  t.deepEqual(await db.readOnly(async (tx) => Number((await tx.query('select count(*) as n from kept')).rows[0]!.n)), 1)
  await db.transaction((tx) => tx.query(sql`insert into ${sql.id('kept')} (id) values (${4})`))
  t.deepEqual((await db.query('select id from kept order by id')).rows.map((row) => Number(row.id)), [1, 4])
}

async function withScratch(open: () => Promise<ScratchDatabase>, work: (scratch: ScratchDatabase) => Promise<void>): Promise<void> {
  const scratch = await open()
  try {
    await work(scratch)
  } finally {
    await scratch.drop()
  }
}

test('check: the read-only transaction refuses a write on PGlite, and does not create a database that is not there', async (t) => {
  const cwd = await workingFolder(t)
  // In a folder rather than in memory: a new folder is a copy of the template, where memory:// runs initdb.
  const embedded = new PgliteDatabase('source', { dialect: 'pglite', path: path.join(cwd, 'embedded') })
  await withScratch(async () => ({ db: embedded, namespace: 'public', drop: () => embedded.close() }), (scratch) => refusesWrites(t, scratch))
  const folder = path.join(cwd, 'data', 'source')
  const missing = new PgliteDatabase('source', { dialect: 'pglite', path: folder })
  const error = await t.throwsAsync(missing.readOnly((tx) => tx.query('select 1')))
  await missing.close()
  t.is((error as { code?: string }).code, 'ETL_ERR_DB_UNREACHABLE')
  t.regex(error.message, /^connection "source" \(pglite at .*data\/source\): no database there yet/)
  t.false(await exists(path.dirname(folder)))
})

test('check: the read-only transaction refuses a write on Postgres, a sequence step included', async (t) => {
  await withScratch(scratchPostgres, async (scratch) => {
    await refusesWrites(t, scratch)
    await scratch.db.query('create sequence numbers')
    await t.throwsAsync(scratch.db.readOnly((tx) => tx.query("select nextval('numbers')")), { message: /read-only transaction/ })
  })
})

test('check: the read-only transaction refuses a write on MariaDB', async (t) => {
  await withScratch(scratchMysql, (scratch) => refusesWrites(t, scratch))
})

test('check: the read-only transaction opens its Data API session read-only on Redshift (the API faked on Postgres), and ends it with a rollback', async (t) => {
  const schema = randomName('etl_rs')
  const admin = new pg.Client(POSTGRES)
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  const server = new RedshiftDataApiServer({ ...POSTGRES, options: `-c search_path=${schema}` })
  const endpoint = await server.start()
  const db = new RedshiftDatabase('source', { dialect: 'redshift', database: 'dev', workgroupName: 'etl', region: 'us-east-1', endpoint, accessKeyId: 'test', secretAccessKey: 'data-api-secret', pollIntervalMs: 5 })
  try {
    await withScratch(async () => ({ db, namespace: schema, drop: () => db.close() }), (scratch) => refusesWrites(t, scratch))
    t.true(server.statements.includes('start transaction read only'))
    t.true(server.statements.includes('rollback'))
  } finally {
    await server.stop()
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  }
})
