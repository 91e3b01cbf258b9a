import fs from 'node:fs/promises'
import path from 'node:path'
import test, { type ExecutionContext } from 'ava'
import pg from 'pg'
import type { Database } from '../../src/db/database.js'
import { PgliteDatabase } from '../../src/db/pglite/pglite-database.js'
import { PostgresDatabase } from '../../src/db/postgres/postgres-database.js'
import { sql } from '../../src/db/sql.js'
import { runCli, type CliResult } from '../helpers/cli.js'
import { MARIADB, POSTGRES, scratchMysql } from '../helpers/databases.js'
import { pipelineProject } from '../helpers/pipeline-project.js'
import { monthlySalesFromReport, monthlySalesFromSource, scratchPostgresDatabase } from './elt-helpers.js'

/** What a warehouse holds after a run: its sequences, its store and pres row counts. */
async function warehouseState(warehouse: Database) {
  const sequences = (await warehouse.query(sql`select exec_seq, status from control.etl_sequence where pipeline = 'orders' order by exec_seq`)).rows.map((row) => `${row.exec_seq}:${row.status}`)
  const count = async (schema: string, table: string) => Number((await warehouse.query(sql`select count(*) as n from ${sql.id(schema, table)}`)).rows[0]!.n)
  return { sequences, orderLines: await count('store', 'order_lines'), companies: await count('store', 'companies'), pres: await count('pres', 'report_order_lines') }
}

/**
 * The run that failed after the warehouse was wiped (a broken dictionary fails one table's landing),
 * then the run after the fix: the rerun must rebuild the new warehouse, not take the old markers,
 * whose sequence 1 was another warehouse's, as its own.
 */
async function wipeFailAndRerun(t: ExecutionContext, dictionary: string, run: () => Promise<CliResult>, wipe: () => Promise<void>): Promise<CliResult> {
  const first = await run()
  t.is(first.code, 0, first.stdout + first.stderr)
  await wipe()
  const good = await fs.readFile(dictionary, 'utf8')
  await fs.writeFile(dictionary, good.replace('"unit_price"', '"unit_prise"'))
  const failed = await run()
  t.is(failed.code, 3, failed.stdout + failed.stderr)
  t.regex(failed.stdout, /✗ LandTable\(table=order_lines\)/)
  await fs.writeFile(dictionary, good)
  const rerun = await run()
  t.is(rerun.code, 0, rerun.stdout + rerun.stderr)
  for (const step of ['UpsertStore', 'BuildPres', 'WriteReports', 'FinishExecution']) t.regex(rerun.stdout, new RegExp(`✓ ${step}\\(\\) .* seq=1 `), `${step} ran again`)
  return rerun
}

test('warehouse identity: on the embedded default, a wiped warehouse after a failed run is rebuilt in full by the rerun, and later sequences follow', async (t) => {
  const p = await pipelineProject()
  t.teardown(() => p.remove())
  const run = () => runCli(['run', 'RunJob', '--local-scheduler', '--module', p.module], p.cwd)
  await wipeFailAndRerun(t, p.dictionary, run, () => fs.rm(path.join(p.cwd, 'data', 'warehouse'), { recursive: true, force: true }))

  const open = (name: string) => new PgliteDatabase(name, { dialect: 'pglite', path: path.join(p.cwd, 'data', name) })
  const source = open('source')
  const warehouse = open('warehouse')
  try {
    const state = await warehouseState(warehouse)
    t.deepEqual(state.sequences, ['1:COMPLETE'])
    t.is(state.orderLines, Number((await source.query(sql`select count(*) as n from order_lines`)).rows[0]!.n))
    t.true(state.pres > 0 && state.companies > 0)
    t.deepEqual(monthlySalesFromReport(await fs.readFile(path.join(p.cwd, 'output', 'reports', 'monthly_sales.csv'), 'utf8')), await monthlySalesFromSource(source))
  } finally {
    await source.close()
    await warehouse.close()
  }
  t.is((await runCli(['demo', 'advance', '--module', p.module], p.cwd)).code, 0)
  t.regex((await run()).stdout, /StartExecution\(\) .* seq=2 started=true/)
})

test('warehouse identity: a Postgres warehouse dropped and created again under the same name is not mistaken for the one the markers describe', async (t) => {
  const p = await pipelineProject()
  const source = await scratchMysql('source')
  const dw = await scratchPostgresDatabase('etl_dw_id')
  const warehouse = () => new PostgresDatabase('warehouse', { dialect: 'postgres', ...POSTGRES, database: dw.name, poolSize: 1 })
  t.teardown(async () => {
    await source.drop()
    await dw.drop()
    await p.remove()
  })
  const config = {
    connections: {
      source: { dialect: 'mysql', host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database: source.namespace },
      warehouse: { dialect: 'postgres', host: POSTGRES.host, port: POSTGRES.port, user: POSTGRES.user, database: dw.name },
    },
  }
  await fs.writeFile(path.join(p.cwd, 'etl.config.json'), JSON.stringify(config))
  t.is((await runCli(['demo', 'init', '--module', p.module], p.cwd)).code, 0)
  const run = () => runCli(['run', 'RunJob', '--local-scheduler', '--module', p.module], p.cwd)
  const recreate = async () => {
    const admin = new pg.Client(POSTGRES)
    await admin.connect()
    await admin.query(`drop database ${dw.name} with (force)`)
    await admin.query(`create database ${dw.name}`)
    await admin.end()
  }
  await wipeFailAndRerun(t, p.dictionary, run, recreate)

  const db = warehouse()
  try {
    const state = await warehouseState(db)
    t.deepEqual(state.sequences, ['1:COMPLETE'])
    t.is(state.orderLines, Number((await source.db.query(sql`select count(*) as n from order_lines`)).rows[0]!.n))
    t.true(state.pres > 0)
  } finally {
    await db.close()
  }
})
