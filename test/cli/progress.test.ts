import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import test from 'ava'
import { CLI_TASKS, ETL_BIN, runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'

const exec = promisify(execFile)

test('progress: on a terminal a live line shows done/total, running and elapsed, and is cleared before the summary', async (t) => {
  const cwd = await tempDir()
  // `script` gives the CLI a pseudo-terminal, as a person at a shell has.
  const command = `${process.execPath} ${ETL_BIN} run Sleepy --ms 300 --local-scheduler --module ${CLI_TASKS}`
  const { stdout } = await exec('script', ['-qec', command, '/dev/null'], { cwd, env: { ...process.env, COLUMNS: '120' } })
  t.regex(stdout, /\r\x1b\[K\[0\/1 done\] 1 running, \d+ms/)
  t.regex(stdout, /\x1b\[K\r?\n?=+ etl execution summary/)
})

test('progress: off a terminal there is no live line, only plain log lines', async (t) => {
  const result = await runCli(['run', 'Sleepy', '--ms', '10', '--local-scheduler', '--module', CLI_TASKS], await tempDir())
  t.is(result.code, 0)
  t.notRegex(result.stderr, /\x1b\[K/)
  t.regex(result.stderr, /^\d\d:\d\d:\d\d INFO {2}\[Sleepy\] running Sleepy\(label=nap, ms=10\)$/m)
})
