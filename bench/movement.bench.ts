/**
 * `npm run bench:movement`: moves a 12-column MariaDB table to a CSV in the lake and into Postgres in
 * one pass (`loadThroughLake`, the landing task's path), against two baselines measured in the same
 * run: the physical floor (`mariadb --quick --batch | psql \copy`, alternating with ours over a few
 * rounds) and the naive way (one INSERT per row, on 20,000 rows, extrapolated). Also the two-pass path
 * (extract to the lake, then load), the same load into PGlite, and peak RSS at 1M and 5M rows.
 * Figures go to bench/results/movement.json.
 */
import { spawn, execFileSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import mysql from 'mysql2/promise'
import pg from 'pg'
import type { ConnectionConfig } from '../src/db/connection-config.js'
import { DataServices } from '../src/db/data-services.js'
import { MysqlDatabase } from '../src/db/mysql/mysql-database.js'
import { PostgresDatabase } from '../src/db/postgres/postgres-database.js'
import type { Database } from '../src/db/database.js'
import { limitHeapGrowth } from '../src/util/heap-growth.js'
import { createSourceTable, SOURCE_TABLE } from './movement-setup.js'

const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'etl_bench' }
const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' }
const SCHEMA = 'etl_bench'
const TARGET = 'bench_movement_dst'
const NAIVE_ROWS = 20_000
const here = path.dirname(fileURLToPath(import.meta.url))

interface PhaseResult {
  rows: number
  seconds: number
  extractSeconds?: number
  loadSeconds?: number
  peakRssMb: number
  /** Peak RSS before the first row moved: Node, tsx, the drivers and an opened target (PGlite's initdb peaks here). */
  startRssMb?: number
}

const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024
const loadAverage = (): number => os.loadavg()[0] ?? 0

/** One measured path, run in its own process so its peak RSS is its own. */
async function phase(name: string, rows: number): Promise<PhaseResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=etl-source', fileURLToPath(import.meta.url), '--phase', name, String(rows)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`phase ${name} failed with exit code ${code}`)
  return JSON.parse(out.trim().split('\n').pop() as string) as PhaseResult
}

async function resetTarget(db: Database, source: Database): Promise<void> {
  await db.query(`drop table if exists ${TARGET}`)
  await db.query(db.createTableSql(TARGET, (await source.describeTable(SOURCE_TABLE)).columns))
}

type Path = 'one-pass' | 'two-pass'

/**
 * The landing path: the extract goes to the lake and into the table in one pass (`loadThroughLake`,
 * as `LandTable` does it), or, for comparison, to the lake first and then from it (`loadFromLake`,
 * as a rerun does once the object is there).
 */
async function ours(rows: number, into: 'postgres' | 'pglite', how: Path): Promise<PhaseResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-bench-'))
  const warehouse: ConnectionConfig = into === 'postgres' ? { dialect: 'postgres', ...POSTGRES, schema: SCHEMA } : { dialect: 'pglite', path: path.join(dir, 'pglite') }
  const data = new DataServices({ cwd: dir, connections: { source: { dialect: 'mysql', ...MARIADB }, warehouse } })
  const [source, target] = await Promise.all([data.database('source'), data.database('warehouse')])
  await resetTarget(target, source)
  const key = 'landing/bench/part-0000.csv'
  const extract = () => source.extractCsv(`select * from ${SOURCE_TABLE}`)
  const startRssMb = peakRssMb()
  const started = performance.now()
  let extractSeconds: number | undefined
  let loaded: { rows: number }
  if (how === 'one-pass') {
    loaded = await data.loadThroughLake(target, TARGET, key, extract())
  } else {
    await data.lake().put(key, extract())
    extractSeconds = (performance.now() - started) / 1000
    loaded = await data.loadFromLake(target, TARGET, key)
  }
  const seconds = (performance.now() - started) / 1000
  if (loaded.rows !== rows) throw new Error(`loaded ${loaded.rows} rows, expected ${rows}`)
  await data.close()
  await fs.rm(dir, { recursive: true, force: true })
  const loadSeconds = extractSeconds === undefined ? undefined : seconds - extractSeconds
  return { rows, seconds, extractSeconds, loadSeconds, peakRssMb: peakRssMb(), startRssMb }
}

/** One INSERT per row, as a naive loop would do it. */
async function naive(): Promise<PhaseResult> {
  const source = new MysqlDatabase('source', { dialect: 'mysql', ...MARIADB })
  const client = new pg.Client({ ...POSTGRES, options: `-c search_path=${SCHEMA}` })
  await client.connect()
  const target = new PostgresDatabase('warehouse', { dialect: 'postgres', ...POSTGRES, schema: SCHEMA })
  await resetTarget(target, source)
  const started = performance.now()
  let rows = 0
  for await (const row of source.stream(`select * from ${SOURCE_TABLE} order by id limit ${NAIVE_ROWS}`)) {
    const values = Object.values(row)
    await client.query(`insert into ${TARGET} values (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values)
    rows++
  }
  const seconds = (performance.now() - started) / 1000
  await Promise.all([source.close(), target.close(), client.end()])
  return { rows, seconds, peakRssMb: peakRssMb() }
}

/** The physical floor: the servers' own clients piped together, nothing in between. */
async function floor(rows: number): Promise<PhaseResult> {
  const admin = new pg.Client(POSTGRES)
  await admin.connect()
  await admin.query(`truncate ${SCHEMA}.${TARGET}`)
  await admin.end()
  const started = performance.now()
  execFileSync('bash', ['-c', `set -o pipefail; mariadb -h ${MARIADB.host} -u ${MARIADB.user} --quick --batch --skip-column-names -e "select * from ${SOURCE_TABLE}" ${MARIADB.database} | psql -q -h ${POSTGRES.host} -U ${POSTGRES.user} ${POSTGRES.database} -c "\\copy ${SCHEMA}.${TARGET} from stdin with (null 'NULL')"`], { stdio: 'inherit' })
  return { rows, seconds: (performance.now() - started) / 1000, peakRssMb: 0 }
}

async function prepare(rows: number): Promise<void> {
  const admin = await mysql.createConnection({ ...MARIADB, database: undefined })
  await admin.query(`create database if not exists ${MARIADB.database}`)
  await admin.end()
  const started = performance.now()
  await createSourceTable(MARIADB, rows)
  const pgAdmin = new pg.Client(POSTGRES)
  await pgAdmin.connect()
  await pgAdmin.query(`create schema if not exists ${SCHEMA}`)
  await pgAdmin.end()
  console.error(`  source table of ${rows.toLocaleString('en')} rows ready in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

async function cleanup(): Promise<void> {
  const admin = await mysql.createConnection({ ...MARIADB, database: undefined })
  await admin.query(`drop database if exists ${MARIADB.database}`)
  await admin.end()
  const pgAdmin = new pg.Client(POSTGRES)
  await pgAdmin.connect()
  await pgAdmin.query(`drop schema if exists ${SCHEMA} cascade`)
  await pgAdmin.end()
}

const rate = (result: PhaseResult) => result.rows / result.seconds
const fmt = (n: number) => Math.round(n).toLocaleString('en')
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

/** The measured run of a path whose time is the median of its rounds. */
function medianRun(runs: readonly PhaseResult[]): PhaseResult {
  const middle = median(runs.map((run) => run.seconds))
  return { ...(runs.find((run) => run.seconds === middle) as PhaseResult), peakRssMb: Math.max(...runs.map((run) => run.peakRssMb)) }
}

async function runPhase(name: string, rows: number): Promise<PhaseResult> {
  // As `etl run` does (landing tasks run inside it), so the figures are the CLI's: without it, old
  // space grew to 46-59 MB at 5M rows where it stays near 30 MB at 1M.
  limitHeapGrowth()
  switch (name) {
    case 'one-pass-postgres':
      return ours(rows, 'postgres', 'one-pass')
    case 'two-pass-postgres':
      return ours(rows, 'postgres', 'two-pass')
    case 'one-pass-pglite':
      return ours(rows, 'pglite', 'one-pass')
    case 'naive':
      return naive()
    default:
      throw new Error(`unknown phase ${name}`)
  }
}

async function main(): Promise<void> {
  const [flag, name, rows] = process.argv.slice(2)
  if (flag === '--phase') {
    console.log(JSON.stringify(await runPhase(name as string, Number(rows))))
    return
  }
  const loadBefore = loadAverage()
  const small = Number(process.env.BENCH_ROWS ?? 1_000_000)
  const large = Number(process.env.BENCH_LARGE_ROWS ?? 5_000_000)
  // Ours and the floor alternate, so a burst of other work on the machine falls on both alike.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
  console.error(`movement benchmark: ${fmt(small)} rows x 12 columns, MariaDB → lake (CSV) → Postgres, ${rounds} rounds`)
  await prepare(small)
  const oursRuns: PhaseResult[] = []
  const floorRuns: PhaseResult[] = []
  for (let round = 1; round <= rounds; round++) {
    oursRuns.push(await phase('one-pass-postgres', small))
    floorRuns.push(await floor(small))
    console.error(`  round ${round}: ours ${oursRuns.at(-1)?.seconds.toFixed(2)} s, floor ${floorRuns.at(-1)?.seconds.toFixed(2)} s`)
  }
  const oursPg = medianRun(oursRuns)
  const floorRun = medianRun(floorRuns)
  const twoPass = await phase('two-pass-postgres', small)
  const naiveRun = await phase('naive', NAIVE_ROWS)
  const oursPglite = await phase('one-pass-pglite', small)
  await prepare(large)
  const oursLarge = await phase('one-pass-postgres', large)
  await cleanup()

  const figures = {
    // Other work on the machine slows the single-threaded PGlite path more than the multi-process server path.
    machine: { cpus: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), loadAverage: { before: loadBefore, after: loadAverage() } },
    rows: small,
    rounds: { ours: oursRuns.map((run) => run.seconds), floor: floorRuns.map((run) => run.seconds) },
    floor: { ...floorRun, rowsPerSecond: rate(floorRun) },
    ours: { ...oursPg, rowsPerSecond: rate(oursPg) },
    twoPass: { ...twoPass, rowsPerSecond: rate(twoPass) },
    naive: { ...naiveRun, rowsPerSecond: rate(naiveRun), extrapolatedSeconds: small / rate(naiveRun) },
    pglite: { ...oursPglite, rowsPerSecond: rate(oursPglite) },
    large: { ...oursLarge, rowsPerSecond: rate(oursLarge) },
    ratios: {
      oursVsFloor: rate(oursPg) / rate(floorRun),
      twoPassVsFloor: rate(twoPass) / rate(floorRun),
      oursVsNaive: rate(oursPg) / rate(naiveRun),
      pgliteVsPostgres: rate(oursPglite) / rate(oursPg),
      peakRssLargeVsSmall: oursLarge.peakRssMb / oursPg.peakRssMb,
    },
    targets: { oursVsFloor: 0.6, oursVsNaive: 50, peakRssMb: 200, pgliteVsPostgres: 0.35 },
  }
  const lines = [
    `floor    mariadb | psql \\copy            ${fmt(figures.floor.rowsPerSecond).padStart(10)} rows/s  (median ${floorRun.seconds.toFixed(2)} s)`,
    `ours     extract → lake + load, one pass  ${fmt(figures.ours.rowsPerSecond).padStart(10)} rows/s  (median ${oursPg.seconds.toFixed(2)} s)  peak RSS ${oursPg.peakRssMb.toFixed(0)} MB (${oursPg.startRssMb?.toFixed(0)} MB before the first row)`,
    `two pass extract → lake, then load       ${fmt(figures.twoPass.rowsPerSecond).padStart(10)} rows/s  (${twoPass.seconds.toFixed(2)} s: extract ${twoPass.extractSeconds?.toFixed(2)} s, load ${twoPass.loadSeconds?.toFixed(2)} s)`,
    `naive    one INSERT per row              ${fmt(figures.naive.rowsPerSecond).padStart(10)} rows/s  (${fmt(NAIVE_ROWS)} rows in ${naiveRun.seconds.toFixed(1)} s; ${fmt(figures.naive.extrapolatedSeconds)} s for ${fmt(small)})`,
    `pglite   one pass into PGlite            ${fmt(figures.pglite.rowsPerSecond).padStart(10)} rows/s  (${oursPglite.seconds.toFixed(2)} s)  peak RSS ${oursPglite.peakRssMb.toFixed(0)} MB (${oursPglite.startRssMb?.toFixed(0)} MB before the first row)`,
    `large    ${fmt(large)} rows, one pass     ${fmt(figures.large.rowsPerSecond).padStart(10)} rows/s  (${oursLarge.seconds.toFixed(2)} s)  peak RSS ${oursLarge.peakRssMb.toFixed(0)} MB`,
    ``,
    `ours / floor        ${figures.ratios.oursVsFloor.toFixed(2)}x  (target >= 0.6x; rounds ${oursRuns.map((run, i) => ((floorRuns[i] as PhaseResult).seconds / run.seconds).toFixed(2)).join(', ')}; two pass ${figures.ratios.twoPassVsFloor.toFixed(2)}x)`,
    `ours / naive        ${figures.ratios.oursVsNaive.toFixed(0)}x  (target >= 50x)`,
    `pglite / postgres   ${figures.ratios.pgliteVsPostgres.toFixed(2)}x  (target >= 0.35x)`,
    `peak RSS            ${oursPg.peakRssMb.toFixed(0)} MB at ${fmt(small)}, ${oursLarge.peakRssMb.toFixed(0)} MB at ${fmt(large)}  (target < 200 MB, flat)`,
    `load average        ${loadBefore.toFixed(1)} before, ${figures.machine.loadAverage.after.toFixed(1)} after, on ${figures.machine.cpus} CPUs`,
  ]
  console.log(lines.join('\n'))
  await fs.mkdir(path.join(here, 'results'), { recursive: true })
  await fs.writeFile(path.join(here, 'results', 'movement.json'), `${JSON.stringify(figures, null, 2)}\n`)
}

await main()
