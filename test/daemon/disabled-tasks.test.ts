import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { CLI_TASKS, runCli, startCli } from '../helpers/cli.js'
import { freePort, waitFor } from '../helpers/daemon-helpers.js'
import { tempDir } from '../helpers/sandbox.js'

const TOKEN = 'a-token-long-enough-to-be-real'

test('disabled tasks: the run that disables a task lists it as failed, and every run names the way out, which --forgive with the token takes', async (t) => {
  const daemonDir = await tempDir()
  const port = await freePort()
  await fs.writeFile(path.join(daemonDir, 'etl.config.json'), JSON.stringify({ scheduler: { token: TOKEN, disableAfterFailures: 1, retryDelayMs: 600_000 } }))
  const daemon = startCli(['scheduler', '--port', String(port), '--state-dir', path.join(daemonDir, 'state')], daemonDir)
  let output = ''
  daemon.stderr!.on('data', (chunk) => (output += chunk))
  daemon.stdout!.on('data', (chunk) => (output += chunk))
  t.teardown(() => void daemon.kill('SIGTERM'))
  await waitFor(() => /scheduler daemon at http/.test(output), 30_000, () => output)

  const cwd = await tempDir()
  await fs.writeFile(path.join(cwd, 'broken.flag'), '')
  // The daemon has a token, so its workers present it; --forgive needs it as the action token too.
  const run = (args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    runCli(['run', 'FailsUntilFixed', '--tag', 'x', '--scheduler-url', `http://127.0.0.1:${port}`, '--module', CLI_TASKS, ...args], cwd, { ETL_WORKER_TOKEN: TOKEN, ...env })

  const first = await run()
  t.is(first.code, 3, first.stdout + first.stderr)
  t.regex(first.stdout, /Failed: 1\n {2}✗ FailsUntilFixed\(tag=x\) .*\(now DISABLED: it failed too often\)\n\s+x is broken/)
  t.regex(first.stdout, /exit code 3: FailsUntilFixed\(tag=x\) is DISABLED by the central scheduler .* re-enable it on its page in the scheduler's web UI .* or run the same command with --forgive/)
  t.notRegex(first.stdout, /run the same command again to resume/)

  await fs.rm(path.join(cwd, 'broken.flag'))
  const again = await run()
  t.is(again.code, 3)
  t.regex(again.stdout, /Not run: 1\n {2}FailsUntilFixed\(tag=x\) \(DISABLED\)/)
  t.regex(again.stdout, /is DISABLED by the central scheduler/)

  const noToken = await run(['--forgive'])
  t.is(noToken.code, 5)
  t.regex(noToken.stderr, /--forgive reopens failed and disabled tasks, an action the daemon allows only with its token: set ETL_SCHEDULER_TOKEN/)
  const wrongToken = await run(['--forgive'], { ETL_SCHEDULER_TOKEN: 'not-the-token-at-all' })
  t.is(wrongToken.code, 5)
  t.regex(wrongToken.stderr, /refused enable: the action token is wrong/)

  const forgiven = await run(['--forgive'], { ETL_SCHEDULER_TOKEN: TOKEN })
  t.is(forgiven.code, 0, forgiven.stdout + forgiven.stderr)
  t.regex(forgiven.stderr, /--forgive reopened 1 failed or disabled task: FailsUntilFixed\(tag=x\)/)
  t.regex(forgiven.stdout, /✓ FailsUntilFixed\(tag=x\)/)
})
