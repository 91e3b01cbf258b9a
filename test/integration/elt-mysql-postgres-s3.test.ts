import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { PostgresDatabase } from '../../src/db/postgres/postgres-database.js'
import { sql } from '../../src/db/sql.js'
import { DEMO_TABLES } from '../../tasks/orders/sample/demo-schema.js'
import { runCli } from '../helpers/cli.js'
import { MARIADB, POSTGRES, scratchMysql } from '../helpers/databases.js'
import { startS3Server } from '../helpers/s3-server.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE, duplicateKeys, scratchPostgresDatabase, monthlySalesFromReport, monthlySalesFromSource, tableChecksum } from './elt-helpers.js'

test('elt: MariaDB into PostgreSQL with the lake on S3, by config alone; a failed upsert resumes without extracting again, and a failed landing load reloads its lake file', async (t) => {
  const cwd = await tempDir('etl-elt-my-')
  const source = await scratchMysql('source')
  const dw = await scratchPostgresDatabase('etl_dw')
  const dwName = dw.name
  const s3 = await startS3Server()
  const warehouse = new PostgresDatabase('warehouse', { dialect: 'postgres', ...POSTGRES, database: dwName, poolSize: 2 })
  t.teardown(async () => {
    await warehouse.close()
    await source.drop()
    await dw.drop()
    await s3.stop()
    await fs.rm(cwd, { recursive: true, force: true })
  })
  const config = {
    connections: {
      source: { dialect: 'mysql', host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database: source.namespace },
      warehouse: { dialect: 'postgres', host: POSTGRES.host, port: POSTGRES.port, user: POSTGRES.user, database: dwName },
    },
    lake: await s3.lake('elt-lake', 'etl'),
  }
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify(config, null, 2))
  const run = (...args: string[]) => runCli([...args, '--module', PIPELINE], cwd)

  const init = await runCli(['demo', 'init', '--scale', '1', '--seed', '7', '--module', PIPELINE], cwd)
  t.is(init.code, 0, init.stderr)
  const orphans = await source.db.query(
    'select count(*) as n from order_lines l where not exists (select 1 from products p where p.product_code = l.product_code and p.supplier_id = l.supplier_id)',
  )
  t.is(Number(orphans.rows[0]!.n), 0, 'every sample order line names a product that exists')
  const first = await run('run', 'RunJob', '--local-scheduler', '--workers', '3')
  t.is(first.code, 0, first.stdout + first.stderr)
  t.regex(first.stdout, /PrepareSource\(.*\) {2}|Already complete/)

  const storeEqualsSource = async () => {
    for (const table of DEMO_TABLES) {
      t.deepEqual(await tableChecksum(warehouse, table.name, { schema: 'store', name: table.name }), await tableChecksum(source.db, table.name), `store.${table.name}`)
      t.is(await duplicateKeys(warehouse, table.name), 0)
    }
  }
  await storeEqualsSource()
  t.deepEqual(monthlySalesFromReport(await fs.readFile(path.join(cwd, 'output', 'reports', 'monthly_sales.csv'), 'utf8')), await monthlySalesFromSource(source.db))
  // The landing files are in the bucket, partitioned by sequence.
  const landed = await warehouse.query(sql`select count(*) as n from landing.order_lines where exec_seq = 1`)
  t.true(Number(landed.rows[0]!.n) > 0)

  // A day of changes, and a failure injected into one table's upsert (the last of the loop).
  t.is((await runCli(['demo', 'advance', '--module', PIPELINE], cwd)).code, 0)
  await warehouse.query('alter table store.order_lines add constraint etl_test_fail check (quantity < 0) not valid')
  const failed = await run('run', 'RunJob', '--local-scheduler')
  t.is(failed.code, 3, failed.stdout + failed.stderr)
  t.regex(failed.stdout, /UpsertStore\(\)/)
  const extractedBefore = await warehouse.query(sql`select table_name, extracted_rows from control.etl_sequence_table where pipeline = 'orders' and exec_seq = 2 order by table_name`)
  t.is((await warehouse.query(sql`select status from control.etl_sequence where pipeline = 'orders' and exec_seq = 2`)).rows[0]!.status, 'RUNNING')

  // The rerun resumes sequence 2: no extract runs again, the five finished tables are skipped.
  await warehouse.query('alter table store.order_lines drop constraint etl_test_fail')
  const resumed = await run('run', 'RunJob', '--local-scheduler')
  t.is(resumed.code, 0, resumed.stdout + resumed.stderr)
  t.notRegex(resumed.stdout, /✓ LandTable|✓ StartExecution/)
  t.regex(resumed.stdout, /✓ UpsertStore\(\) .* seq=2 tables=6 skipped=5/)
  const extractedAfter = await warehouse.query(sql`select table_name, extracted_rows from control.etl_sequence_table where pipeline = 'orders' and exec_seq = 2 order by table_name`)
  t.deepEqual(extractedAfter.rows, extractedBefore.rows)
  const status = await warehouse.query(sql`select exec_seq, status from control.etl_sequence where pipeline = 'orders' order by exec_seq`)
  t.deepEqual(status.rows.map((row) => `${row.exec_seq}:${row.status}`), ['1:COMPLETE', '2:COMPLETE'])
  // The end state is a clean run's: the store equals the source.
  await storeEqualsSource()

  // Sequence 3's landing load fails after its extract reached the lake whole (S3, in one pass).
  t.is((await runCli(['demo', 'advance', '--module', PIPELINE], cwd)).code, 0)
  await warehouse.query('alter table landing.order_lines add constraint etl_test_fail check (exec_seq < 3) not valid')
  const loadFailed = await run('run', 'RunJob', '--local-scheduler')
  t.is(loadFailed.code, 3, loadFailed.stdout + loadFailed.stderr)
  t.regex(loadFailed.stdout, /LandTable\(table=order_lines\)/)
  const lines3 = sql`select extracted_rows, loaded_rows from control.etl_sequence_table where pipeline = 'orders' and exec_seq = 3 and table_name = 'order_lines'`
  const afterFailure = (await warehouse.query(lines3)).rows[0]!
  t.true(Number(afterFailure.extracted_rows) > 0, 'the whole extract is recorded')
  t.is(afterFailure.loaded_rows, null, 'and nothing of it is loaded')

  // The rerun loads that file rather than extracting again: the rows the first attempt saw, though
  // one of them has changed in the source since.
  await warehouse.query('alter table landing.order_lines drop constraint etl_test_fail')
  const changed = (await source.db.query<{ order_no: string; order_line_no: number; quantity: number }>('select order_no, order_line_no, quantity from order_lines order by updated_datetime desc limit 1')).rows[0]!
  await source.db.query('update order_lines set quantity = quantity + 1000 where order_no = ? and order_line_no = ?', [changed.order_no, changed.order_line_no])
  const reloaded = await run('run', 'RunJob', '--local-scheduler')
  t.is(reloaded.code, 0, reloaded.stdout + reloaded.stderr)
  t.regex(reloaded.stdout, /✓ LandTable\(table=order_lines\) .* rows=\d+ .*fromLake=true/)
  t.notRegex(reloaded.stdout, /✓ LandTable\(table=(?!order_lines)/, 'the tables that landed are not landed again')
  const reloadedRows = (await warehouse.query(lines3)).rows[0]!
  t.is(Number(reloadedRows.loaded_rows), Number(afterFailure.extracted_rows))
  const landed3 = await warehouse.query(sql`select count(*) as n from landing.order_lines where exec_seq = 3`)
  t.is(Number(landed3.rows[0]!.n), Number(afterFailure.extracted_rows))
  const landedChanged = await warehouse.query(sql`select quantity from landing.order_lines where exec_seq = 3 and order_no = ${changed.order_no} and order_line_no = ${changed.order_line_no}`)
  t.is(Number(landedChanged.rows[0]!.quantity), Number(changed.quantity))
})
