import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { CLI_TASKS, startCli, type CliResult } from '../helpers/cli.js'
import { freePort } from '../helpers/daemon-helpers.js'
import { tempDir } from '../helpers/sandbox.js'

const M = ['--module', CLI_TASKS]

/** Runs `etl` to the end, noting when the first line matching `first` reached stderr. */
async function runTimed(args: string[], cwd: string, first: RegExp, env: NodeJS.ProcessEnv = {}): Promise<CliResult & { firstAt: number | undefined; endedAt: number }> {
  const child = startCli(args, cwd, env)
  let stdout = ''
  let stderr = ''
  let firstAt: number | undefined
  child.stdout!.on('data', (chunk) => (stdout += chunk))
  child.stderr!.on('data', (chunk) => {
    stderr += chunk
    if (firstAt === undefined && first.test(stderr)) firstAt = Date.now()
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr, firstAt, endedAt: Date.now() }))
  })
}

async function configured(scheduler: Record<string, unknown>): Promise<string> {
  const cwd = await tempDir()
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify({ scheduler }))
  return cwd
}

test('remote-scheduler: with no daemon at the URL, etl run says so at once and exits 5 after the configured tries', async (t) => {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const cwd = await configured({ url, rpcConnectAttempts: 3, rpcConnectRetryWaitMs: 400 })
  const result = await runTimed(['run', 'Hello', '--name', 'x', ...M], cwd, /is not answering/)
  t.is(result.code, 5, result.stderr)
  const { stderr } = result
  const at = (pattern: RegExp) => stderr.search(pattern)
  const escaped = url.replace(/[.]/g, '\\.')
  t.true(at(new RegExp(`WARN {2}the scheduler daemon is not answering at ${escaped}: connection refused \\(ECONNREFUSED\\)\\. Trying 2 more times, 400ms apart, then giving up; start it with \`etl scheduler\`, check --scheduler-url or scheduler\\.url, or run with --local-scheduler`)) >= 0, stderr)
  t.true(at(new RegExp(`WARN {2}still no answer from ${escaped} \\(try 2 of 3, next in 400ms\\)`)) > at(/is not answering/), stderr)
  t.true(at(new RegExp(`etl: could not reach the scheduler daemon at ${escaped}/api/addTasks after 3 attempts over [\\d.]+m?s: connection refused`)) > at(/still no answer/), stderr)
  t.regex(stderr, /It never answered this run: .*--local-scheduler; scheduler\.rpcConnectAttempts and scheduler\.rpcConnectRetryWaitMs set how long/)
  t.notRegex(stderr, /unexpected error|Run etl --help|\n\s+at /)
  // Said at the first try, not at the end: the configured waits (2 x 400 ms) still lay ahead.
  t.truthy(result.firstAt)
  t.true(result.endedAt - result.firstAt! >= 700, `${result.endedAt - result.firstAt!}ms between the first line and the exit`)
  t.is(result.stdout, '')
})

test('remote-scheduler: with no daemon, etl run gives up on the first-contact budget, well before the minute a restart is given', async (t) => {
  const port = await freePort()
  // The restart budget stays large; only the first-contact one applies to a daemon never reached.
  const cwd = await configured({ url: `http://127.0.0.1:${port}`, rpcRetryAttempts: 20, rpcRetryWaitMs: 3000, rpcConnectAttempts: 2, rpcConnectRetryWaitMs: 1000 })
  const started = Date.now()
  const result = await runTimed(['run', 'Hello', '--name', 'x', ...M], cwd, /is not answering/)
  const elapsed = Date.now() - started
  t.is(result.code, 5, result.stderr)
  t.regex(result.stderr, /after 2 attempts over/)
  t.true(elapsed >= 1000, `${elapsed}ms`)
  t.true(elapsed < 30_000, `${elapsed}ms: far from the old 60 s`)
})

test('remote-scheduler: a password in the scheduler URL stays out of what etl run says while it waits', async (t) => {
  const port = await freePort()
  const cwd = await configured({ url: `http://etl:\${ETL_TEST_SCHEDULER_PASSWORD}@127.0.0.1:${port}`, rpcConnectAttempts: 2, rpcConnectRetryWaitMs: 100 })
  const result = await runTimed(['run', 'Hello', '--name', 'x', ...M], cwd, /is not answering/, { ETL_TEST_SCHEDULER_PASSWORD: 'hunter2-s3cret' })
  t.is(result.code, 5, result.stderr)
  t.regex(result.stderr, new RegExp(`not answering at http://\\*\\*\\*@127\\.0\\.0\\.1:${port}`))
  t.false(result.stderr.includes('hunter2-s3cret'), result.stderr)
})

test('remote-scheduler: a first-contact setting out of range is refused with the key and what is allowed', async (t) => {
  const cwd = await configured({ rpcConnectAttempts: 0 })
  const result = await runTimed(['run', 'Hello', '--name', 'x', ...M], cwd, /./)
  t.is(result.code, 5)
  t.regex(result.stderr, /scheduler\.rpcConnectAttempts.*expected a whole number of at least 1/)
})
