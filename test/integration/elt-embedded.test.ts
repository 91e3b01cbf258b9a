import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { PGlite } from '@electric-sql/pglite'
import { PgliteDatabase } from '../../src/db/pglite/pglite-database.js'
import { sql } from '../../src/db/sql.js'
import { DEMO_TABLES } from '../../tasks/orders/sample/demo-schema.js'
import { deviceOf, parseAccessLogLine } from '../../tasks/orders/weblog/access-log.js'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE, duplicateKeys, monthlySalesFromReport, monthlySalesFromSource, tableChecksum } from './elt-helpers.js'

/** Opens the run's embedded databases after the CLI has exited (PGlite is single-process). */
async function withEmbedded<T>(cwd: string, work: (source: PgliteDatabase, warehouse: PgliteDatabase) => Promise<T>): Promise<T> {
  const source = new PgliteDatabase('source', { dialect: 'pglite', path: path.join(cwd, 'data', 'source') })
  const warehouse = new PgliteDatabase('warehouse', { dialect: 'pglite', path: path.join(cwd, 'data', 'warehouse') })
  try {
    return await work(source, warehouse)
  } finally {
    await source.close()
    await warehouse.close()
  }
}

async function storeEqualsSource(t: import('ava').ExecutionContext, source: PgliteDatabase, warehouse: PgliteDatabase) {
  for (const table of DEMO_TABLES) {
    t.deepEqual(await tableChecksum(warehouse, table.name, { schema: 'store', name: table.name }), await tableChecksum(source, table.name), `store.${table.name}`)
    t.is(await duplicateKeys(warehouse, table.name), 0)
  }
}

const run = (cwd: string, ...args: string[]) => runCli([...args, '--module', PIPELINE], cwd)

/** Both embedded databases' pg_control: any session, even one that only reads, changes it on close. */
async function embeddedControlFiles(cwd: string): Promise<string[]> {
  return Promise.all(['source', 'warehouse'].map(async (name) => (await fs.readFile(path.join(cwd, 'data', name, 'global', 'pg_control'))).toString('hex')))
}

test('elt: on the embedded defaults, RunJob builds a store equal to the source, reports, then runs incrementally', async (t) => {
  const cwd = await tempDir('etl-elt-')
  t.teardown(() => fs.rm(cwd, { recursive: true, force: true }))

  // A fresh checkout: RunJob creates the sample source itself.
  const first = await run(cwd, 'run', 'RunJob', '--local-scheduler')
  t.is(first.code, 0, first.stdout + first.stderr)
  t.regex(first.stdout, /PrepareSource\(.*created=true/)
  t.regex(first.stdout, /ParseWeblog\(.*rejected=[1-9]/)

  const reports = path.join(cwd, 'output', 'reports')
  t.deepEqual((await fs.readdir(reports)).sort(), ['monthly_sales.csv', 'most_popular_products_top_login_country.csv', 'top_5_devices.csv'])
  const rejects = await fs.readFile(path.join(cwd, 'lake', 'rejects', 'weblog_access', 'exec_seq=1', 'rejects.csv'), 'utf8')
  t.regex(rejects, /^line_no,reason,line\r?\n37,not a combined log format line,/)

  await withEmbedded(cwd, async (source, warehouse) => {
    await storeEqualsSource(t, source, warehouse)
    t.deepEqual(monthlySalesFromReport(await fs.readFile(path.join(reports, 'monthly_sales.csv'), 'utf8')), await monthlySalesFromSource(source))
    // Top devices straight from the log file.
    const log = await fs.readFile(path.join(cwd, 'data', 'weblog', 'access.log'), 'utf8')
    const counts = new Map<string, number>()
    for (const line of log.split('\n')) {
      const parsed = parseAccessLogLine(line)
      if (parsed) counts.set(deviceOf(parsed.userAgent), (counts.get(deviceOf(parsed.userAgent)) ?? 0) + 1)
    }
    const expected = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5).map(([device, n]) => `${device},${n}`)
    t.deepEqual((await fs.readFile(path.join(reports, 'top_5_devices.csv'), 'utf8')).trim().split(/\r?\n/).slice(1), expected)
    // The most popular products of the top login country: straight from the source.
    const popular = (await fs.readFile(path.join(reports, 'most_popular_products_top_login_country.csv'), 'utf8')).trim().split(/\r?\n/).slice(1)
    t.true(popular.length > 0)
    t.deepEqual(popular.filter((line) => line.split(',')[2] === ''), [], 'every product in the report has its name')
    const country = popular[0]!.split(',')[0]!
    const { rows } = await source.query(sql`
      select l.product_code, sum(l.quantity) as q from order_lines l join order_headers h on h.order_no = l.order_no join companies c on c.company_id = h.company_id
      where c.country = ${country} and l.is_deleted = false and h.is_deleted = false group by l.product_code order by q desc, l.product_code limit 10`)
    t.deepEqual(popular.map((line) => `${line.split(',')[1]}=${line.split(',').at(-1)}`), rows.map((row) => `${row.product_code}=${row.q}`))
  })

  // The same command again: nothing to do, known without even opening the embedded databases (a
  // session's clean shutdown would move the checkpoint in pg_control).
  const controls = await embeddedControlFiles(cwd)
  const again = await run(cwd, 'run', 'RunJob', '--local-scheduler')
  t.is(again.code, 0)
  t.regex(again.stdout, /Nothing to do/)
  t.deepEqual(await embeddedControlFiles(cwd), controls)

  // A day of changes: the next run extracts only the changed rows.
  const advance = await runCli(['demo', 'advance', '--module', PIPELINE], cwd)
  t.is(advance.code, 0, advance.stderr)
  const changed = Object.fromEntries([...advance.stdout.matchAll(/ {2}(\w+): (\d+)/g)].map((m) => [m[1]!, Number(m[2])]))
  const second = await run(cwd, 'run', 'RunJob', '--local-scheduler')
  t.is(second.code, 0, second.stdout + second.stderr)
  t.regex(second.stdout, /StartExecution\(\) .* seq=2 started=true/)
  await withEmbedded(cwd, async (source, warehouse) => {
    const { rows } = await warehouse.query(sql`select table_name, extracted_rows from control.etl_sequence_table where pipeline = 'orders' and exec_seq = 2`)
    const extracted = Object.fromEntries(rows.map((row) => [row.table_name, Number(row.extracted_rows)]))
    t.is(extracted.order_headers, changed.order_headers_new! + changed.order_headers_updated!)
    t.is(extracted.order_lines, changed.order_lines_new! + changed.order_lines_deleted!)
    t.is(extracted.customers, changed.customers_deleted)
    t.is(extracted.products, changed.products_updated)
    t.is(extracted.companies, 0)
    t.is(extracted.weblog_access, changed.access_log_lines)
    const status = await warehouse.query(sql`select exec_seq, status from control.etl_sequence where pipeline = 'orders' order by exec_seq`)
    t.deepEqual(status.rows.map((row) => `${row.exec_seq}:${row.status}`), ['1:COMPLETE', '2:COMPLETE'])
    await storeEqualsSource(t, source, warehouse)
  })
  const quiet = await embeddedControlFiles(cwd)
  t.regex((await run(cwd, 'run', 'RunJob', '--local-scheduler')).stdout, /Nothing to do/)
  t.deepEqual(await embeddedControlFiles(cwd), quiet, 'after an incremental run too, a rerun opens nothing')

  // Something other than etl touching the source makes the next run look at it again.
  const outside = await PGlite.create(path.join(cwd, 'data', 'source'))
  await outside.query(`update order_headers set updated_datetime = (select max(updated_datetime) from order_headers) + interval '1 second' where order_no = (select min(order_no) from order_headers)`)
  await outside.close()
  const noticed = await run(cwd, 'run', 'RunJob', '--local-scheduler')
  t.is(noticed.code, 0, noticed.stdout + noticed.stderr)
  t.regex(noticed.stdout, /StartExecution\(\) .* seq=3 started=true/)

  // Deleting one output marker reruns exactly that task.
  const presMarkers = path.join(cwd, 'output', 'BuildPres')
  for (const file of await fs.readdir(presMarkers)) await fs.rm(path.join(presMarkers, file))
  const rerun = await run(cwd, 'run', 'RunJob', '--local-scheduler')
  t.is(rerun.code, 0)
  t.regex(rerun.stdout, /Ran 2 tasks\n {2}✓ BuildPres\(\) .*\n {2}✓ RunJob\(\)/)

  // A report is an output too: deleting one reruns the step that writes them.
  await fs.rm(path.join(reports, 'top_5_devices.csv'))
  const regenerated = await run(cwd, 'run', 'RunJob', '--local-scheduler')
  t.regex(regenerated.stdout, /Ran 2 tasks\n {2}✓ WriteReports\(\) .*\n {2}✓ RunJob\(\)/)
  await fs.access(path.join(reports, 'top_5_devices.csv'))

  // invalidate --downstream reruns the task and everything that depends on it.
  const invalidate = await run(cwd, 'invalidate', 'WriteReports', '--downstream')
  t.is(invalidate.code, 0, invalidate.stderr)
  const downstream = await run(cwd, 'run', 'RunJob', '--local-scheduler')
  t.regex(downstream.stdout, /Ran 3 tasks\n {2}✓ WriteReports\(\) .*\n {2}✓ FinishExecution\(\) .*\n {2}✓ RunJob\(\)/)

  // deps shows the whole tree.
  const deps = await run(cwd, 'deps', 'RunJob')
  t.is(deps.code, 0, deps.stderr)
  t.regex(deps.stdout, /├─ FinishExecution\(\) {2}\[COMPLETE\]/)
  t.regex(deps.stdout, /LandTable\(table=order_lines\) {2}\[COMPLETE\]/)
  t.regex(deps.stdout, /15 tasks: 15 COMPLETE/)

  // A wiped warehouse is not taken for the one the markers vouch for: the next run builds it again.
  await fs.rm(path.join(cwd, 'data', 'warehouse'), { recursive: true, force: true })
  const rebuilt = await run(cwd, 'run', 'RunJob', '--local-scheduler')
  t.is(rebuilt.code, 0, rebuilt.stdout + rebuilt.stderr)
  t.regex(rebuilt.stdout, /StartExecution\(\) .* seq=1 started=true/)
  await withEmbedded(cwd, (source, warehouse) => storeEqualsSource(t, source, warehouse))
})
