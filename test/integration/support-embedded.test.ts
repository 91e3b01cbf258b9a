import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import type { Database } from '../../src/db/database.js'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE, withEmbeddedDatabase } from './elt-helpers.js'
import { assertFactKeys, assertReport, assertScd2 } from './support-helpers.js'

const run = (cwd: string, ...args: string[]) => runCli([...args, '--module', PIPELINE], cwd)

/** The run's embedded support source and warehouse, opened after the CLI has exited (PGlite is single-process). */
function withDatabases<T>(cwd: string, work: (source: Database, warehouse: Database) => Promise<T>): Promise<T> {
  return withEmbeddedDatabase(cwd, 'support_source', (source) => withEmbeddedDatabase(cwd, 'warehouse', (warehouse) => work(source, warehouse)))
}

test('support: SupportDW builds the warehouse on the embedded defaults; its report equals a computation from the source; a rerun has nothing to do; a new period merges without duplicating a case; --rebuild builds the same warehouse again from staging', async (t) => {
  const cwd = await tempDir('etl-support-')
  t.teardown(() => fs.rm(cwd, { recursive: true, force: true }))

  const first = await run(cwd, 'run', 'SupportDW', '--local-scheduler')
  t.is(first.code, 0, first.stdout + first.stderr)
  t.regex(first.stdout, /PrepareSupportSource\(.*created=true/)
  t.regex(first.stdout, /StageCaseLogs\(.*rejected=[1-9]/)
  t.regex(first.stdout, /BuildDimension\(dimension=d_analysts.*inserted=\d+ closed=0/)
  await withDatabases(cwd, async (source, warehouse) => {
    await assertScd2(t, warehouse)
    await assertFactKeys(t, warehouse)
    await assertReport(t, cwd, source)
    const facts = Number((await warehouse.query('select count(*) as n from support_dw.f_cases')).rows[0]!.n)
    t.is(facts, Number((await source.query('select count(*) as n from cases')).rows[0]!.n))
  })

  const again = await run(cwd, 'run', 'SupportDW', '--local-scheduler')
  t.is(again.code, 0, again.stdout + again.stderr)
  t.regex(again.stdout, /Nothing to do/)

  const openBefore = await withDatabases(cwd, async (_, warehouse) =>
    (await warehouse.query<{ case_id: number }>('select case_id from support_dw.f_cases where resolve_date is null or assigned_date is null')).rows.map((row) => row.case_id),
  )
  for (let period = 0; period < 2; period++) {
    const advanced = await run(cwd, 'demo', 'advance', '--pipeline', 'support')
    t.is(advanced.code, 0, advanced.stdout + advanced.stderr)
    const merge = await run(cwd, 'run', 'SupportDW', '--local-scheduler')
    t.is(merge.code, 0, merge.stdout + merge.stderr)
    t.regex(merge.stdout, /LoadFact\(fact=f_cases.*inserted=[1-9]\d* updated=[1-9]/)
  }
  await withDatabases(cwd, async (source, warehouse) => {
    await assertScd2(t, warehouse)
    await assertFactKeys(t, warehouse)
    await assertReport(t, cwd, source)
    const { rows } = await warehouse.query('select count(*) as n, count(distinct case_id) as d from support_dw.f_cases')
    t.is(Number(rows[0]!.n), Number((await source.query('select count(*) as n from cases')).rows[0]!.n), 'one fact row per case')
    t.is(Number(rows[0]!.n), Number(rows[0]!.d))
    const filled = await warehouse.query(`select count(*) as n from support_dw.f_cases where case_id in (${openBefore.join(',')}) and resolve_dt_id <> -1`)
    t.true(Number(filled.rows[0]!.n) > 0, 'a later merge fills the milestones of earlier open cases')
  })

  // --rebuild drops the support DW and builds it again from staging, to what the merges had made.
  const merged = await withDatabases(cwd, (_, warehouse) => starByNaturalKeys(warehouse))
  const reportBefore = await fs.readFile(path.join(cwd, 'output', 'reports', 'team_performance.csv'), 'utf8')
  const rebuilt = await run(cwd, 'run', 'SupportDW', '--rebuild', '--local-scheduler')
  t.is(rebuilt.code, 0, rebuilt.stdout + rebuilt.stderr)
  t.regex(rebuilt.stdout, /BuildDimension\(dimension=d_analysts, rebuild=true\).*inserted=[1-9]/)
  t.regex(rebuilt.stdout, /LoadFact\(fact=f_cases, rebuild=true\).*inserted=[1-9]\d* updated=0/)
  await withDatabases(cwd, async (source, warehouse) => {
    t.deepEqual(await starByNaturalKeys(warehouse), merged)
    await assertScd2(t, warehouse)
    await assertFactKeys(t, warehouse)
    await assertReport(t, cwd, source)
  })
  t.is(await fs.readFile(path.join(cwd, 'output', 'reports', 'team_performance.csv'), 'utf8'), reportBefore)
  const rebuiltAgain = await run(cwd, 'run', 'SupportDW', '--rebuild', '--local-scheduler')
  t.regex(rebuiltAgain.stdout, /Nothing to do/, 'a rebuild is done once per sequence')
})

/** The star's rows by their natural keys, surrogate keys replaced by what they stand for. */
async function starByNaturalKeys(warehouse: Database): Promise<Record<string, unknown[]>> {
  const rows = async (query: string) => (await warehouse.query(query)).rows.map((row) => JSON.stringify(row))
  return {
    analysts: await rows('select aid, name, team, skills, start_date, end_date, is_active from support_dw.d_analysts order by aid, start_date'),
    products: await rows('select product_line, product_group, product from support_dw.d_products order by product_line, product_group, product'),
    facts: await rows(`
      select f.case_id, f.aid, a.team, a.start_date as version, p.product, r.priority, f.created_dt_id, f.assigned_dt_id, f.response_dt_id, f.resolve_dt_id,
             f.created_date, f.assigned_date, f.response_date, f.resolve_date, f.response_sla_hours, f.resolve_sla_hours
      from support_dw.f_cases f
      join support_dw.d_analysts a on a.id = f.analyst_id
      join support_dw.d_products p on p.id = f.product_id
      join support_dw.d_priority r on r.id = f.priority_id
      order by f.case_id`),
  }
}
