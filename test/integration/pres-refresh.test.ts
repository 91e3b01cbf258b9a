import fs from 'node:fs/promises'
import path from 'node:path'
import test, { type ExecutionContext } from 'ava'
import pg from 'pg'
import { DataServices, LocalScheduler, build, setLayout, sql, type Database, type TaskLike } from 'etl'
import { advanceDemoSource, initDemoSource } from '../../tasks/orders/sample/demo-source.js'
import { POSTGRES, randomName } from '../helpers/databases.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE } from './elt-helpers.js'

const { RunJob } = (await import(PIPELINE)) as { RunJob: new () => TaskLike }

/** Each pres table and the view it is built from: a full build is `select * from` the view. */
const PRES = [
  { table: 'report_order_lines', view: 'v_report_order_lines', key: 'order_no, order_line_no' },
  { table: 'report_orders', view: 'v_report_orders', key: 'order_no' },
  { table: 'report_weblog_access', view: 'v_report_weblog_access', key: 'line_no' },
] as const

/** A folder for one run of the pipeline: its cwd (data/weblog, the lake) and its output markers. */
async function sandbox(t: ExecutionContext): Promise<string> {
  const root = await tempDir('etl-pres-')
  const cwd = process.cwd()
  // The steps find the access log at data/weblog relative to the working directory, as the CLI does.
  process.chdir(root)
  setLayout({ outputDir: path.join(root, 'output'), completedDir: path.join(root, 'completed') })
  t.teardown(async () => {
    process.chdir(cwd)
    await fs.rm(root, { recursive: true, force: true })
  })
  return root
}

async function runJob(t: ExecutionContext, services: () => DataServices): Promise<void> {
  const data = services()
  try {
    const summary = await build(new RunJob(), { scheduler: new LocalScheduler(), data, workers: 2 })
    t.true(summary.complete, summary.failed.map((line) => `${line.label}: ${line.error}`).join('\n'))
  } finally {
    await data.close()
  }
}

/** Runs `work` on one of the project's connections, opened for it and closed after. */
async function withDatabase<T>(services: () => DataServices, name: 'source' | 'warehouse', work: (db: Database) => Promise<T>): Promise<T> {
  const data = services()
  try {
    return await work(await data.database(name))
  } finally {
    await data.close()
  }
}

/**
 * Changes past what `demo advance` makes, each to a column the pres tables show, and each carrying a
 * newer updated_datetime: a product and a supplier renamed, a company moved to another country, a
 * customer's username, an order moved to another company, an order soft-deleted, a line's product and
 * quantity, a line added to an old order, and (second round) soft-deleted rows brought back.
 */
async function changeSource(source: Database, round: 1 | 2): Promise<void> {
  const { rows } = await source.query(sql`select max(updated_datetime) as t from order_lines`)
  const stamp = new Date(Date.parse(`${String(rows[0]!.t).slice(0, 19).replace(' ', 'T')}Z`) + 2 * 86_400_000).toISOString().slice(0, 19).replace('T', ' ')
  const order = async (offset: number) => Number((await source.query(sql`select order_no from order_headers order by order_no limit 1 offset ${offset}`)).rows[0]!.order_no)
  if (round === 1) {
    // A product some line points at (its code and supplier), so the rename shows in pres.
    const product = (await source.query(sql`select p.product_code, p.supplier_id from products p join order_lines l on l.product_code = p.product_code and l.supplier_id = p.supplier_id limit 1`)).rows[0]!
    await source.query(sql`update products set product_name = ${'Renamed product'}, category = ${'Renamed'}, updated_datetime = ${stamp} where product_code = ${product.product_code} and supplier_id = ${product.supplier_id}`)
    await source.query(sql`update companies set company_name = ${'Renamed supplier'}, updated_datetime = ${stamp} where company_id = ${1}`)
    const buyer = Number((await source.query(sql`select company_id from order_headers where order_no = ${await order(3)}`)).rows[0]!.company_id)
    await source.query(sql`update companies set country = ${'Atlantis'}, updated_datetime = ${stamp} where company_id = ${buyer}`)
    const customer = String((await source.query(sql`select customer_document_no from order_headers where order_no = ${await order(5)}`)).rows[0]!.customer_document_no)
    await source.query(sql`update customers set username = ${'renamed_user'}, updated_datetime = ${stamp} where customer_document_no = ${customer}`)
    await source.query(sql`update order_headers set company_id = ${buyer}, updated_datetime = ${stamp} where order_no = ${await order(7)}`)
    await source.query(sql`update order_headers set is_deleted = ${true}, updated_datetime = ${stamp} where order_no = ${await order(9)}`)
    await source.query(sql`update order_lines set product_code = ${'P00002'}, quantity = ${99}, updated_datetime = ${stamp} where order_no = ${await order(11)} and order_line_no = ${1}`)
    await source.query(sql`insert into order_lines values (${await order(13)}, ${50}, ${'P00003'}, ${1}, ${4}, ${'12.34'}, ${stamp}, ${stamp}, ${false})`)
  } else {
    await source.query(sql`update order_headers set is_deleted = ${false}, updated_datetime = ${stamp} where order_no = ${await order(9)}`)
    await source.query(sql`update order_lines set is_deleted = ${false}, updated_datetime = ${stamp} where is_deleted = ${true}`)
  }
}

/** Rows in one table and not the other (both ways, duplicates counted). */
async function difference(warehouse: Database, a: string, b: string): Promise<number> {
  const { rows } = await warehouse.query(`select count(*) as n from ((select * from ${a} except all select * from ${b}) union all (select * from ${b} except all select * from ${a})) d`)
  return Number(rows[0]!.n)
}

/** The physical place (ctid) of every pres.report_order_lines row: a refresh that leaves a row alone keeps it there. */
async function places(warehouse: Database): Promise<Map<string, string>> {
  const { rows } = await warehouse.query(sql`select order_no, order_line_no, ctid::text as place from pres.report_order_lines`)
  return new Map(rows.map((row) => [`${row.order_no}/${row.order_line_no}`, String(row.place)]))
}

async function presRefreshScenario(t: ExecutionContext, services: () => DataServices): Promise<void> {
  await withDatabase(services, 'source', (source) => initDemoSource(source, { scale: 1, seed: 11 }))
  await runJob(t, services)
  const before = await withDatabase(services, 'warehouse', places)

  for (const round of [1, 2] as const) {
    await withDatabase(services, 'source', async (source) => {
      await advanceDemoSource(source)
      await changeSource(source, round)
    })
    await runJob(t, services)
    await withDatabase(services, 'warehouse', async (warehouse) => {
      for (const pres of PRES) t.is(await difference(warehouse, `pres.${pres.table}`, `pres.${pres.view}`), 0, `round ${round}: pres.${pres.table} equals a full build`)
    })
  }

  await withDatabase(services, 'warehouse', async (warehouse) => {
    // Refreshed, not rebuilt: the lines of orders neither sequence touched are where sequence 1 put them.
    const { rows } = await warehouse.query(sql`
      select order_no, order_line_no from pres.report_order_lines
      where order_no not in (select order_no from pres.v_report_order_lines_changes where exec_seq > ${1})`)
    t.true(rows.length > 0)
    const after = await places(warehouse)
    t.deepEqual(rows.map((row) => after.get(`${row.order_no}/${row.order_line_no}`)), rows.map((row) => before.get(`${row.order_no}/${row.order_line_no}`)))
    const renamed = await warehouse.query(sql`select count(*) as n from pres.report_order_lines where product_name = ${'Renamed product'}`)
    t.true(Number(renamed.rows[0]!.n) > 0)
    // Keep the incrementally kept tables, then drop two from pres and empty the third: BuildPres builds
    // a missing table and an empty one in full.
    await warehouse.query('create schema kept')
    for (const pres of PRES) await warehouse.query(`create table kept.${pres.table} as select * from pres.${pres.table}`)
    await warehouse.query('drop table pres.report_order_lines cascade')
    await warehouse.query('drop table pres.report_orders')
    await warehouse.query('truncate pres.report_weblog_access')
  })
  await fs.rm(path.join('output', 'BuildPres'), { recursive: true, force: true })
  await runJob(t, services)
  await withDatabase(services, 'warehouse', async (warehouse) => {
    for (const pres of PRES) {
      t.is(await difference(warehouse, `pres.${pres.table}`, `kept.${pres.table}`), 0, `pres.${pres.table} kept incrementally equals it built in full`)
      const counts = await warehouse.query(`select count(*) as n, count(distinct (${pres.key})) as k from pres.${pres.table}`)
      t.is(Number(counts.rows[0]!.n), Number(counts.rows[0]!.k), `pres.${pres.table} has no key twice`)
    }
  })
}

test.serial('pres refresh: on PostgreSQL, pres tables kept incrementally over two sequences of changes equal a full build', async (t) => {
  const root = await sandbox(t)
  const database = randomName('etl_pres')
  const admin = new pg.Client(POSTGRES)
  await admin.connect()
  await admin.query(`create database ${database}`)
  t.teardown(async () => {
    await admin.query(`drop database if exists ${database} with (force)`)
    await admin.end()
  })
  const connection = { dialect: 'postgres', ...POSTGRES, database, poolSize: 2 } as const
  await presRefreshScenario(t, () => new DataServices({ cwd: root, connections: { source: connection, warehouse: connection } }))
})

test.serial('pres refresh: on the embedded PGlite, pres tables kept incrementally over two sequences of changes equal a full build', async (t) => {
  const root = await sandbox(t)
  await presRefreshScenario(t, () => new DataServices({ cwd: root }))
})
