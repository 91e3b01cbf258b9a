import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { PgliteDatabase } from '../../src/db/pglite/pglite-database.js'
import { sql } from '../../src/db/sql.js'
import { DEMO_TABLES } from '../../tasks/orders/sample/demo-schema.js'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE, REDSHIFT_ENV, duplicateKeys, monthlySalesFromReport, monthlySalesFromSource, redshiftWarehouse, tableChecksum } from './elt-helpers.js'

// Redshift cannot run here: the warehouse is the local Data API server, which runs the statements it
// is sent on a scratch Postgres database and serves COPY … FROM 's3://…' from the S3-protocol server.
test('elt: into Redshift through the Data API, with the lake on S3: store equals source, and the upsert is delete + insert', async (t) => {
  const cwd = await tempDir('etl-elt-rs-')
  const { server, warehouse, stop } = await redshiftWarehouse(cwd, 'elt-rs')
  t.teardown(async () => {
    await stop()
    await fs.rm(cwd, { recursive: true, force: true })
  })
  const run = (...args: string[]) => runCli([...args, '--module', PIPELINE], cwd, REDSHIFT_ENV)

  const storeEqualsSource = async () => {
    const source = new PgliteDatabase('source', { dialect: 'pglite', path: path.join(cwd, 'data', 'source') })
    try {
      for (const table of DEMO_TABLES) {
        t.deepEqual(await tableChecksum(warehouse, table.name, { schema: 'store', name: table.name }), await tableChecksum(source, table.name), `store.${table.name}`)
        t.is(await duplicateKeys(warehouse, table.name), 0)
      }
      t.deepEqual(monthlySalesFromReport(await fs.readFile(path.join(cwd, 'output', 'reports', 'monthly_sales.csv'), 'utf8')), await monthlySalesFromSource(source))
    } finally {
      await source.close()
    }
  }

  const first = await run('run', 'RunJob', '--local-scheduler', '--workers', '3')
  t.is(first.code, 0, first.stdout + first.stderr)
  await storeEqualsSource()
  // Landing files were COPYed into Redshift straight from the bucket.
  t.true(server.statements.some((text) => /^copy "landing"\."order_lines" .*from 's3:\/\/elt-rs-lake\/etl\/landing\/order_lines\/exec_seq=1\//s.test(text)))

  t.is((await runCli(['demo', 'advance', '--module', PIPELINE], cwd, { RS_SECRET: 'rs-secret-value' })).code, 0)
  const second = await run('run', 'RunJob', '--local-scheduler')
  t.is(second.code, 0, second.stdout + second.stderr)
  t.regex(second.stdout, /StartExecution\(\) .* seq=2 started=true/)
  await storeEqualsSource()
  const status = await warehouse.query(sql`select exec_seq, status from control.etl_sequence where pipeline = 'orders' order by exec_seq`)
  t.deepEqual(status.rows.map((row) => `${row.exec_seq}:${row.status}`), ['1:COMPLETE', '2:COMPLETE'])

  // Redshift has no ON CONFLICT: the store upsert deletes the batch's keys and inserts the newest rows.
  const upserts = server.statements.filter((text) => /"store"\."order_lines"/.test(text))
  t.true(upserts.some((text) => /^delete from "store"\."order_lines"/.test(text)))
  t.false(upserts.some((text) => /on conflict/i.test(text)))
  // The presentation layer comes from the Redshift variants of the pres files: rebuilt, no indexes.
  t.true(server.statements.some((text) => /^create table pres\.report_order_lines as/m.test(text)))
  t.false(server.statements.some((text) => /create index|= any \(array/.test(text)))
  t.false(JSON.stringify(server.statements).includes('rs-secret-value'))
  t.false((first.stdout + first.stderr + second.stdout + second.stderr).includes('rs-secret-value'))
})
