import fs from 'node:fs/promises'
import test from 'ava'
import { runCli, startCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE, withEmbeddedDatabase } from './elt-helpers.js'

const STAR_TABLES = ['d_analysts', 'd_products', 'd_priority', 'd_calendar', 'f_cases']
/** When each killed attempt is killed, in ms after it starts: spread over the steps of a run. */
const KILL_AFTER_MS = [700, 1100, 1500, 1900, 2400, 3000]

const run = (cwd: string, ...args: string[]) => runCli([...args, '--module', PIPELINE], cwd)

/** Starts SupportDW and kills it with SIGKILL after `ms`, or lets it end if it is quicker. True when it was killed. */
async function killedRun(cwd: string, ms: number): Promise<boolean> {
  const child = startCli(['run', 'SupportDW', '--local-scheduler', '--workers', '2', '--module', PIPELINE], cwd)
  const timer = setTimeout(() => child.kill('SIGKILL'), ms)
  const signal = await new Promise((resolve) => child.on('close', (_code, signal) => resolve(signal)))
  clearTimeout(timer)
  return signal === 'SIGKILL'
}

/** Every row of every support_dw table, in a fixed order. */
async function warehouseRows(cwd: string): Promise<Record<string, string[]>> {
  return withEmbeddedDatabase(cwd, 'warehouse', async (warehouse) => {
    const rows: Record<string, string[]> = {}
    for (const table of STAR_TABLES) {
      const { rows: found } = await warehouse.query(`select * from support_dw.${table}`)
      rows[table] = found.map((row) => JSON.stringify(row)).sort()
    }
    return rows
  })
}

test('support: runs killed with SIGKILL at points across the initial load and a merge, then rerun, leave the same warehouse as clean runs', async (t) => {
  const clean = await tempDir('etl-support-clean-')
  const crashed = await tempDir('etl-support-crash-')
  t.teardown(() => Promise.all([clean, crashed].map((dir) => fs.rm(dir, { recursive: true, force: true }))))
  for (const cwd of [clean, crashed]) t.is((await run(cwd, 'demo', 'init', '--pipeline', 'support')).code, 0)

  t.is((await run(clean, 'run', 'SupportDW', '--local-scheduler')).code, 0)
  t.is((await run(clean, 'demo', 'advance', '--pipeline', 'support')).code, 0)
  t.is((await run(clean, 'run', 'SupportDW', '--local-scheduler')).code, 0)

  for (const phase of ['initial load', 'merge']) {
    if (phase === 'merge') t.is((await run(crashed, 'demo', 'advance', '--pipeline', 'support')).code, 0)
    let killed = 0
    for (const ms of KILL_AFTER_MS) if (await killedRun(crashed, ms)) killed++
    t.log(`${phase}: ${killed} of ${KILL_AFTER_MS.length} attempts killed before they ended`)
    t.true(killed >= 2, `${phase}: ${killed} of the attempts were killed before they ended`)
    const finished = await run(crashed, 'run', 'SupportDW', '--local-scheduler')
    t.is(finished.code, 0, `${phase}: ${finished.stdout}${finished.stderr}`)
  }
  const [want, got] = [await warehouseRows(clean), await warehouseRows(crashed)]
  for (const table of STAR_TABLES) {
    t.true(want[table]!.length > 0, table)
    t.deepEqual(got[table], want[table], `support_dw.${table} after the killed runs`)
  }
})
