import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { startCli, runCli, CLI_TASKS } from '../helpers/cli.js'
import { freePort, waitFor } from '../helpers/daemon-helpers.js'
import { tempDir } from '../helpers/sandbox.js'

/** Starts `etl scheduler` and resolves once it listens, or with its exit code if it stops first. */
async function startScheduler(cwd: string, args: string[]): Promise<{ listening: boolean; code: number | null; output: string; stop(): Promise<void> }> {
  const child = startCli(['scheduler', '--port', String(await freePort()), '--state-dir', path.join(cwd, 'state'), ...args], cwd)
  let output = ''
  let code: number | null | undefined
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const closed = new Promise<void>((resolve) => child.on('close', (exit) => ((code = exit), resolve())))
  const listening = await waitFor(() => (/scheduler daemon at http/.test(output) ? 'yes' : code !== undefined ? 'no' : undefined), 30_000, () => output)
  return {
    listening: listening === 'yes',
    code: code ?? null,
    output,
    async stop() {
      if (code === undefined) child.kill('SIGTERM')
      await closed
    },
  }
}

test('config: a tasks section does not stop etl scheduler in a folder without a task module', async (t) => {
  const cwd = await tempDir()
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify({ tasks: { ParseWeblog: { weblogDir: 'logs' } } }))
  const daemon = await startScheduler(cwd, [])
  t.teardown(() => daemon.stop())
  t.true(daemon.listening, daemon.output)
})

test('config: etl scheduler checks the tasks section against the module its runs will use', async (t) => {
  const cwd = await tempDir()
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify({ tasks: { Hello: { name: 'config' } } }))
  const good = await startScheduler(cwd, ['--module', CLI_TASKS])
  t.teardown(() => good.stop())
  t.true(good.listening, good.output)
  await good.stop()

  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify({ tasks: { Helo: { name: 'config' } } }))
  const bad = await startScheduler(cwd, ['--module', CLI_TASKS])
  t.false(bad.listening)
  t.is(bad.code, 5)
  t.regex(bad.output, /"tasks\.Helo": no such task \(did you mean Hello\?\)/)
})

test('config: a tasks section does not stop etl demo, and demo checks it against the module it reads the sample from', async (t) => {
  const cwd = await tempDir()
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify({ tasks: { Hello: { name: 'x' } } }))
  const demo = await runCli(['demo', 'init', '--module', CLI_TASKS], cwd)
  // The module runs no pipeline with sample data: that, not the tasks section, is what demo says.
  t.is(demo.code, 5)
  t.regex(demo.stderr, /the task module exports no sample data/)
  t.notRegex(demo.stderr, /no such task/)
})
