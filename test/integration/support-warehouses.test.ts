import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import mysql from 'mysql2/promise'
import type { Database } from '../../src/db/database.js'
import { MysqlDatabase } from '../../src/db/mysql/mysql-database.js'
import { runCli } from '../helpers/cli.js'
import { MARIADB } from '../helpers/databases.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE, REDSHIFT_ENV, redshiftWarehouse, withEmbeddedDatabase } from './elt-helpers.js'
import { assertFactKeys, assertReport, assertScd2 } from './support-helpers.js'

/** Runs SupportDW twice (an initial load, then a merge after `demo advance`) and checks the warehouse after each. */
async function buildAndMerge(t: import('ava').ExecutionContext, cwd: string, warehouse: Database, env: Record<string, string> = {}): Promise<void> {
  const run = (...args: string[]) => runCli([...args, '--module', PIPELINE], cwd, env)
  for (const step of ['initial load', 'merge']) {
    if (step === 'merge') t.is((await run('demo', 'advance', '--pipeline', 'support')).code, 0)
    const result = await run('run', 'SupportDW', '--local-scheduler', '--workers', '2')
    t.is(result.code, 0, result.stdout + result.stderr)
    await assertScd2(t, warehouse)
    await assertFactKeys(t, warehouse)
    await withEmbeddedDatabase(cwd, 'support_source', async (source) => {
      await assertReport(t, cwd, source)
      const cases = Number((await source.query('select count(*) as n from cases')).rows[0]!.n)
      const { rows } = await warehouse.query('select count(*) as n, count(distinct case_id) as d from support_dw.f_cases')
      t.deepEqual([Number(rows[0]!.n), Number(rows[0]!.d)], [cases, cases], `${step}: one fact row per case`)
    })
  }
}

// The local Data API server runs what it is sent on a scratch Postgres database, so this proves the
// statements go through the Data API (bound as it binds, COPY from S3), not Redshift's own grammar.
test('support: SupportDW into Redshift through the Data API builds and merges the same warehouse', async (t) => {
  const cwd = await tempDir('etl-support-rs-')
  const { server, warehouse, stop } = await redshiftWarehouse(cwd, 'support-rs')
  t.teardown(async () => {
    await stop()
    await fs.rm(cwd, { recursive: true, force: true })
  })
  await buildAndMerge(t, cwd, warehouse, REDSHIFT_ENV)
  t.true(server.statements.some((text) => /^copy "support_landing"\."cases" .*from 's3:\/\/support-rs-lake\//s.test(text)), 'landing files are copied from the bucket')
  t.true(server.statements.some((text) => /^unload \('.*'\)\nto 's3:\/\/support-rs-lake\/etl\/support\/reports\/exec_seq=2\/team_performance_'/s.test(text)), 'the report is unloaded to the lake')
})

/** The databases a MySQL warehouse keeps the pipeline's schemas in (MySQL has no schemas inside a database). */
const MYSQL_SCHEMAS = ['control', 'support_landing', 'staging', 'support_dw']

test('support: SupportDW into a MariaDB warehouse builds and merges the same warehouse', async (t) => {
  const cwd = await tempDir('etl-support-my-')
  const admin = await mysql.createConnection(MARIADB)
  await admin.query('set global local_infile = 1').catch(() => undefined)
  const dropSchemas = async () => {
    for (const schema of MYSQL_SCHEMAS) await admin.query(`drop database if exists ${schema}`)
  }
  await dropSchemas()
  await admin.query('create database if not exists etl_support_dw')
  const warehouse = new MysqlDatabase('warehouse', { dialect: 'mysql', ...MARIADB, database: 'etl_support_dw', poolSize: 2 })
  t.teardown(async () => {
    await warehouse.close()
    await dropSchemas()
    await admin.query('drop database if exists etl_support_dw')
    await admin.end()
    await fs.rm(cwd, { recursive: true, force: true })
  })
  const config = { connections: { warehouse: { dialect: 'mysql', host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database: 'etl_support_dw' } } }
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify(config, null, 2))
  await buildAndMerge(t, cwd, warehouse)
})
