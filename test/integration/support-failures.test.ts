import fs from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE, withEmbeddedDatabase } from './elt-helpers.js'

const FAILING = fileURLToPath(new URL('../fixtures/support/fail-once-after-work.ts', import.meta.url))
const TABLES = ['support_dw.d_analysts', 'support_dw.d_products', 'support_dw.d_priority', 'support_dw.d_calendar', 'support_dw.f_cases', 'staging.analyst_history', 'staging.case_events', 'staging.case_facts', 'staging.cases', 'staging.sla']

/** Every row of the staging and star tables, in a fixed order. */
async function warehouseRows(cwd: string): Promise<Record<string, string[]>> {
  return withEmbeddedDatabase(cwd, 'warehouse', async (warehouse) => {
    const rows: Record<string, string[]> = {}
    for (const table of TABLES) rows[table] = (await warehouse.query(`select * from ${table}`)).rows.map((row) => JSON.stringify(row)).sort()
    return rows
  })
}

test('support: every step failing once right after its work, in the initial load and in a merge, is repaired by reruns without duplicating a row', async (t) => {
  const clean = await tempDir('etl-support-clean-')
  const failing = await tempDir('etl-support-failing-')
  t.teardown(() => Promise.all([clean, failing].map((dir) => fs.rm(dir, { recursive: true, force: true }))))
  const cli = (cwd: string, module: string, ...args: string[]) => runCli([...args, '--module', module], cwd, { ETL_TEST_FAIL_ONCE: '*' })
  for (const cwd of [clean, failing]) t.is((await cli(cwd, PIPELINE, 'demo', 'init', '--pipeline', 'support')).code, 0)

  for (const phase of ['initial load', 'merge']) {
    if (phase === 'merge') for (const cwd of [clean, failing]) t.is((await cli(cwd, PIPELINE, 'demo', 'advance', '--pipeline', 'support')).code, 0)
    t.is((await cli(clean, PIPELINE, 'run', 'SupportDW', '--local-scheduler')).code, 0)
    let injected = 0
    for (let attempt = 1; ; attempt++) {
      const result = await cli(failing, FAILING, 'run', 'SupportDW', '--local-scheduler')
      injected += (result.stdout.match(/injected failure after/g) ?? []).length
      if (result.code === 0) break
      t.is(result.code, 3, result.stdout + result.stderr)
      t.true(attempt < 20, `${phase}: still failing after ${attempt} runs`)
      const lines = result.stdout.split('\n')
      const errors = lines.flatMap((line, i) => (line.includes('✗ ') ? [lines[i + 1]!.trim()] : []))
      t.true(errors.length > 0 && errors.every((error) => error.startsWith('injected failure after')), `${phase}: only injected failures: ${errors.join(' | ')}`)
    }
    t.true(injected >= 12, `${phase}: ${injected} steps failed once after their work`)
    await fs.rm(`${failing}/.failed-once.json`)
  }
  const [want, got] = [await warehouseRows(clean), await warehouseRows(failing)]
  for (const table of TABLES) t.deepEqual(got[table]!.length, want[table]!.length, `${table}: as many rows as a clean run`)
  for (const table of TABLES.filter((name) => name.startsWith('support_dw.'))) t.deepEqual(got[table], want[table], `${table} equals a clean run's`)
})
