// `npm run bench:first-use`: what a new user waits for with `npx etl run RunJob --local-scheduler` on
// the embedded defaults: the first run (sample source created, two PGlite databases made), then the
// same command again, which must have nothing to do "in well under a second" (DESIGN.md §1). Each is
// shown with its ratio to `etl --version` measured in the same run: the floor of starting the CLI.
// Writes bench/results/first-use.json.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ETL = fileURLToPath(new URL('../bin/etl.js', import.meta.url))
const PIPELINE = fileURLToPath(new URL('../tasks/index.ts', import.meta.url))
const REPEATS = 7

interface Timed {
  seconds: number
  code: number | null
  stdout: string
}

function etl(cwd: string, ...args: string[]): Timed {
  const started = performance.now()
  const result = spawnSync(process.execPath, [ETL, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } })
  return { seconds: (performance.now() - started) / 1000, code: result.status, stdout: result.stdout }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function medianOf(times: number, run: () => Timed): number {
  return median(Array.from({ length: times }, () => run().seconds))
}

async function main(): Promise<void> {
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-first-use-'))
  try {
    const floor = medianOf(REPEATS, () => etl(cwd, '--version'))
    const first = etl(cwd, 'run', 'RunJob', '--local-scheduler', '--module', PIPELINE)
    if (first.code !== 0) throw new Error(`the first RunJob failed (exit ${first.code}):\n${first.stdout}`)
    const again = Array.from({ length: REPEATS }, () => etl(cwd, 'run', 'RunJob', '--local-scheduler', '--module', PIPELINE))
    const bad = again.find((run) => run.code !== 0 || !/Nothing to do/.test(run.stdout))
    if (bad) throw new Error(`a rerun did something or failed (exit ${bad.code}):\n${bad.stdout}`)
    const noop = median(again.map((run) => run.seconds))

    const results = {
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
      cliStartSeconds: round(floor),
      firstRunSeconds: round(first.seconds),
      noopRerunSeconds: round(noop),
      noopRerunRatioToCliStart: round(noop / floor),
      noopRerunTarget: 'well under 1 s',
    }
    console.log(`etl --version (the floor)          ${floor.toFixed(2)} s`)
    console.log(`first RunJob, embedded defaults    ${first.seconds.toFixed(2)} s  (${(first.seconds / floor).toFixed(1)}× the floor)`)
    console.log(`RunJob again: nothing to do        ${noop.toFixed(2)} s  (${(noop / floor).toFixed(2)}× the floor; target well under 1 s: ${noop < 0.5 ? 'PASS' : 'FAIL'})`)
    await fs.mkdir('bench/results', { recursive: true })
    await fs.writeFile('bench/results/first-use.json', `${JSON.stringify(results, null, 2)}\n`)
    console.log('\nwritten to bench/results/first-use.json')
  } finally {
    await fs.rm(cwd, { recursive: true, force: true })
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}

await main()
