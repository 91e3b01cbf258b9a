import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'
import { LoadDay } from '../fixtures/tasks/backfill-tasks.js'

const MODULE = fileURLToPath(new URL('../fixtures/tasks/backfill-tasks.ts', import.meta.url))
const M = ['--module', MODULE, '--local-scheduler']

function day(index: number): string {
  return new Date(Date.UTC(2024, 0, 1 + index)).toISOString().slice(0, 10)
}

/** What ran, in order, from the fixture's runs.log. */
async function runs(cwd: string): Promise<string[]> {
  try {
    return (await fs.readFile(path.join(cwd, 'runs.log'), 'utf8')).trim().split('\n').filter(Boolean)
  } catch {
    return []
  }
}

/** Marks the days complete as a run would: each one's output marker under the folder's output/. */
async function complete(cwd: string, dates: readonly string[]): Promise<void> {
  const folder = path.join(cwd, 'output', 'LoadDay')
  await fs.mkdir(folder, { recursive: true })
  for (const date of dates) await fs.writeFile(path.join(folder, `${new LoadDay({ date }).id}.json`), '{}')
}

test('backfill: over 30 days with 10 complete, it runs the other 20 once each, oldest first, and says so per stretch', async (t) => {
  const cwd = await tempDir()
  const done = Array.from({ length: 10 }, (_, i) => day(i * 3))
  await complete(cwd, done)
  const result = await runCli(['backfill', 'LoadDay', '--date', '2024-01-01/2024-01-31', ...M], cwd)
  t.is(result.code, 0, result.stderr)
  const expected = Array.from({ length: 30 }, (_, i) => day(i)).filter((date) => !done.includes(date))
  t.deepEqual(await runs(cwd), expected.map((date) => `${date} eu`))
  t.regex(result.stdout, /Backfill of LoadDay over date 2024-01-01 … 2024-01-30 \(30 instances, oldest first\): 10 complete already, 20 ran\n {2}2024-01-01 {2}complete already\n {2}2024-01-02 … 2024-01-03 {2}ran \(2\)\n/)
  t.regex(result.stdout, /exit code 0: the requested task is complete/)
  const again = await runCli(['backfill', 'LoadDay', '--date', '2024-01-01/2024-01-31', ...M], cwd)
  t.is(again.code, 0)
  t.is((await runs(cwd)).length, 20, 'the second backfill finds every day complete and runs nothing')
  t.regex(again.stdout, /30 complete already\n {2}2024-01-01 … 2024-01-30 {2}complete already \(30\)/)
})

test('backfill: --order newest runs the newest day first, and other parameters reach every instance', async (t) => {
  const cwd = await tempDir()
  const result = await runCli(['backfill', 'LoadDay', '--date', '2024-03-01/2024-03-05', '--order', 'newest', '--region', 'us', '--workers', '1', ...M], cwd)
  t.is(result.code, 0, result.stderr)
  t.deepEqual(await runs(cwd), ['2024-03-04 us', '2024-03-03 us', '2024-03-02 us', '2024-03-01 us'])
})

test('backfill: --dry-run lists what would run, in order, runs nothing and exits 0', async (t) => {
  const cwd = await tempDir()
  await complete(cwd, ['2024-02-02'])
  const result = await runCli(['backfill', 'LoadDay', '--date', '2024-02-01/2024-02-04', '--dry-run', ...M], cwd)
  t.is(result.code, 0, result.stderr)
  t.deepEqual(await runs(cwd), [])
  t.is(
    result.stdout,
    'Backfill of LoadDay over date 2024-02-01 … 2024-02-03 (3 instances, oldest first): 1 complete already; 2 would run, in this order:\n' +
      '  LoadDay(date=2024-02-01, region=eu)\n  LoadDay(date=2024-02-03, region=eu)\nDry run: nothing was run.\n',
  )
})

test('backfill: an hourly task runs once per step of --every between two datetimes', async (t) => {
  const cwd = await tempDir()
  const result = await runCli(['backfill', 'LoadHour', '--at', '2024-01-01T00/2024-01-01T06', '--every', '2h', ...M], cwd)
  t.is(result.code, 0, result.stderr)
  t.deepEqual(await runs(cwd), ['2024-01-01T00', '2024-01-01T02', '2024-01-01T04'])
})

test('backfill: a failing instance exits 3 like run, and the others still run', async (t) => {
  const cwd = await tempDir()
  const result = await runCli(['backfill', 'LoadDay', '--date', '2024-04-01/2024-04-04', ...M], cwd, { BACKFILL_FAIL_ON: '2024-04-02' })
  t.is(result.code, 3)
  t.deepEqual(await runs(cwd), ['2024-04-01 eu', '2024-04-03 eu'])
  t.regex(result.stdout, /the source has no file for 2024-04-02/)
  t.regex(result.stdout, / {2}2024-04-01 {2}ran\n {2}2024-04-02 {2}failed\n {2}2024-04-03 {2}ran\n/)
})

test('backfill: bad input exits 5 with a message naming the parameter, the value and the fix, and runs nothing', async (t) => {
  const cwd = await tempDir()
  const cases: [string[], RegExp][] = [
    [['LoadDay', '--dat', '2024-01'], /unknown option --dat \(did you mean --date\?\) for task 'LoadDay'/],
    [['Plain', '--name', '2024-01'], /Plain has no date or datetime parameter to step through/],
    [['LoadDay', '--date', '2024-01-05/2024-01-05'], /the interval "2024-01-05\/2024-01-05" for --date of LoadDay is empty/],
    [['LoadDay', '--date', '2024-02-01/2024-01-01'], /ends before it starts; swap its two ends/],
    [['LoadDay', '--date', '2024-01', '--every', '1h'], /--every 1h does not fit --date, a date/],
  ]
  for (const [args, message] of cases) {
    const result = await runCli(['backfill', ...args, ...M], cwd)
    t.is(result.code, 5, args.join(' '))
    t.regex(result.stderr, message)
  }
  t.deepEqual(await runs(cwd), [])
})
