import fs from 'node:fs/promises'
import path from 'node:path'
import type { ExecutionContext } from 'ava'
import type { Database } from '../../src/db/database.js'
import { parseCsv } from '../../src/csv/csv-parser.js'

/** Where the support sample's export files are, under a run's working folder. */
export const EXPORTS = path.join('data', 'support', 'exports')
const SLA: Record<string, { response: number; resolve: number }> = { P1: { response: 1, resolve: 4 }, P2: { response: 4, resolve: 24 }, P3: { response: 8, resolve: 72 }, P4: { response: 24, resolve: 168 } }

/** SCD2 invariants: one active version per analyst, versions that meet with no gap or overlap, the last one open. */
export async function assertScd2(t: ExecutionContext, warehouse: Database): Promise<void> {
  const { rows } = await warehouse.query<{ aid: number; start_date: string; end_date: string; is_active: boolean }>('select aid, start_date, end_date, is_active from support_dw.d_analysts where id <> -1 order by aid, start_date')
  const byAid = new Map<number, typeof rows>()
  for (const row of rows) byAid.set(row.aid, [...(byAid.get(row.aid) ?? []), row])
  t.true(byAid.size >= 40)
  for (const [aid, versions] of byAid) {
    t.is(versions.filter((v) => v.is_active).length, 1, `one active version of analyst ${aid}`)
    for (let i = 1; i < versions.length; i++) t.is(versions[i]!.start_date, versions[i - 1]!.end_date, `analyst ${aid}'s versions meet`)
    t.is(versions.at(-1)!.end_date, '9999-12-31')
  }
}

/** Every fact key filled and resolving to its dimension; unassigned cases on -1. */
export async function assertFactKeys(t: ExecutionContext, warehouse: Database): Promise<void> {
  const keys = ['analyst_id', 'product_id', 'priority_id', 'created_dt_id', 'assigned_dt_id', 'response_dt_id', 'resolve_dt_id']
  for (const key of keys) t.is(Number((await warehouse.query(`select count(*) as n from support_dw.f_cases where ${key} is null`)).rows[0]!.n), 0, `${key} is never NULL`)
  const dangling = await warehouse.query(`
    select count(*) as n from support_dw.f_cases f
    where not exists (select 1 from support_dw.d_analysts d where d.id = f.analyst_id)
       or not exists (select 1 from support_dw.d_products d where d.id = f.product_id)
       or not exists (select 1 from support_dw.d_priority d where d.id = f.priority_id)
       or not exists (select 1 from support_dw.d_calendar d where d.id = f.created_dt_id)
       or not exists (select 1 from support_dw.d_calendar d where d.id = f.assigned_dt_id)
       or not exists (select 1 from support_dw.d_calendar d where d.id = f.resolve_dt_id)`)
  t.is(Number(dangling.rows[0]!.n), 0, 'every key resolves to its dimension')
  const unassigned = await warehouse.query('select count(*) as n from support_dw.f_cases where assigned_date is null and (analyst_id <> -1 or assigned_dt_id <> -1)')
  t.is(Number(unassigned.rows[0]!.n), 0, 'unassigned cases carry -1')
  const asOf = await warehouse.query(`
    select count(*) as n from support_dw.f_cases f join support_dw.d_analysts d on d.id = f.analyst_id
    where f.analyst_id <> -1 and not (f.created_date >= d.start_date and f.created_date < d.end_date and d.aid = f.aid)`)
  t.is(Number(asOf.rows[0]!.n), 0, "each fact's analyst is the version valid at the case's creation")
}

type Milestones = { assigned?: string; responded?: string; resolved?: string; aid?: number; lastAssigned?: string }
const LINE = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) \[case (\d+)\] (CREATED|ASSIGNED to analyst (\d+)|RESPONDED by analyst \d+|RESOLVED by analyst \d+)$/

/** The case logs read here, apart from the pipeline: each case's first milestones and last assignee. */
async function milestonesFromLogs(dir: string): Promise<Map<number, Milestones>> {
  const cases = new Map<number, Milestones>()
  for (const file of (await fs.readdir(dir)).filter((name) => name.startsWith('case_log_')).sort()) {
    for (const line of (await fs.readFile(path.join(dir, file), 'utf8')).split('\n')) {
      const match = LINE.exec(line)
      if (!match) continue
      const at = match[1]!
      const parsed = new Date(`${at.replace(' ', 'T')}Z`)
      if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 19) !== at.replace(' ', 'T')) continue
      const entry = cases.get(Number(match[2])) ?? {}
      const kind = match[3]!.split(' ')[0]
      const first = (field: 'assigned' | 'responded' | 'resolved') => {
        if (!entry[field] || at < entry[field]!) entry[field] = at
      }
      if (kind === 'ASSIGNED') {
        first('assigned')
        if (!entry.lastAssigned || at >= entry.lastAssigned) Object.assign(entry, { lastAssigned: at, aid: Number(match[4]) })
      }
      if (kind === 'RESPONDED') first('responded')
      if (kind === 'RESOLVED') first('resolved')
      cases.set(Number(match[2]), entry)
    }
  }
  return cases
}

/** Each analyst's history rows, from the export files. */
async function historyFromFiles(dir: string): Promise<Map<number, Array<{ team: string; from: string }>>> {
  const history = new Map<number, Array<{ team: string; from: string }>>()
  for (const file of (await fs.readdir(dir)).filter((name) => name.startsWith('analyst_history_')).sort()) {
    const [, ...records] = parseCsv(await fs.readFile(path.join(dir, file), 'utf8'))
    for (const [aid, , team, , from] of records) if (aid) history.set(Number(aid), [...(history.get(Number(aid)) ?? []), { team: team!, from: from! }])
  }
  for (const rows of history.values()) rows.sort((a, b) => a.from.localeCompare(b.from))
  return history
}

const hours = (from: string, to: string | undefined) => (to === undefined ? undefined : (Date.parse(`${to.replace(' ', 'T')}Z`) - Date.parse(`${from.replace(' ', 'T')}Z`)) / 3_600_000)
const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined)
function median(values: number[]): number | undefined {
  if (!values.length) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) / 2
  return sorted[Math.floor(at)]! + (sorted[Math.ceil(at)]! - sorted[Math.floor(at)]!) * (at - Math.floor(at))
}

/** The team performance report computed from the sample source and files, not from the warehouse. */
async function expectedReport(cwd: string, source: Database): Promise<Map<string, Record<string, number | undefined>>> {
  const dir = path.join(cwd, EXPORTS)
  const logs = await milestonesFromLogs(dir)
  const history = await historyFromFiles(dir)
  const { rows: cases } = await source.query<{ case_id: number; priority: string; created_at: string }>('select case_id, priority, created_at from cases')
  const groups = new Map<string, Array<{ assign?: number; response?: number; resolve?: number; priority: string }>>()
  for (const c of cases) {
    const m = logs.get(c.case_id) ?? {}
    const versions = m.aid === undefined ? undefined : history.get(m.aid)?.filter((v) => v.from <= c.created_at.slice(0, 10))
    const team = versions?.length ? versions.at(-1)!.team : 'Unknown'
    const key = `${team}|${Number(c.created_at.slice(0, 4))}|${Number(c.created_at.slice(5, 7))}`
    groups.set(key, [...(groups.get(key) ?? []), { assign: hours(c.created_at, m.assigned), response: hours(c.created_at, m.responded), resolve: hours(c.created_at, m.resolved), priority: c.priority }])
  }
  const report = new Map<string, Record<string, number | undefined>>()
  for (const [key, list] of groups) {
    const pick = (field: 'assign' | 'response' | 'resolve') => list.map((row) => row[field]).filter((value): value is number => value !== undefined)
    const within = (field: 'response' | 'resolve') => {
      const done = list.filter((row) => row[field] !== undefined)
      return done.length ? (100 * done.filter((row) => row[field]! <= SLA[row.priority]![field]).length) / done.length : undefined
    }
    report.set(key, {
      cases: list.length,
      assigned: pick('assign').length,
      resolved: pick('resolve').length,
      avg_assign_hours: mean(pick('assign')),
      median_assign_hours: median(pick('assign')),
      avg_resolve_hours: mean(pick('resolve')),
      median_resolve_hours: median(pick('resolve')),
      response_within_sla_pct: within('response'),
      resolve_within_sla_pct: within('resolve'),
    })
  }
  return report
}

export async function assertReport(t: ExecutionContext, cwd: string, source: Database): Promise<void> {
  const expected = await expectedReport(cwd, source)
  const [header, ...rows] = parseCsv(await fs.readFile(path.join(cwd, 'output', 'reports', 'team_performance.csv'), 'utf8')).filter((row) => row.length > 1)
  t.is(rows.length, expected.size, 'one report row per team and month')
  for (const row of rows) {
    const record = Object.fromEntries(header!.map((name, i) => [name, row[i]]))
    const want = expected.get(`${record.team}|${record.year}|${record.month}`)
    t.truthy(want, `${record.team} ${record.year}-${record.month} is expected`)
    for (const [name, value] of Object.entries(want ?? {})) {
      const got = record[name] === '' || record[name] === null ? undefined : Number(record[name])
      if (value === undefined) t.is(got, undefined, name)
      else t.true(Math.abs(got! - value) <= (name.endsWith('pct') ? 0.051 : 0.0051), `${record.team} ${record.year}-${record.month} ${name}: report ${got}, source ${value}`)
    }
  }
}

