import { spawn } from 'node:child_process'
import path from 'node:path'
import test from 'ava'
import { ETL_BIN } from '../helpers/cli.js'
import { freePort, waitFor } from '../helpers/daemon-helpers.js'
import { tempDir } from '../helpers/sandbox.js'

/**
 * Starts `etl scheduler` from a launcher process that then goes away, as `npx` does when it is killed
 * (npm does not pass the signal on), and resolves with the daemon's pid once it listens.
 */
async function orphanedScheduler(env: NodeJS.ProcessEnv): Promise<{ pid: number; port: number }> {
  const port = await freePort()
  const state = path.join(await tempDir(), 'state')
  const launcher = `
    const { spawn } = require('node:child_process')
    const child = spawn(process.execPath, [${JSON.stringify(ETL_BIN)}, 'scheduler', '--port', '${port}', '--state-dir', ${JSON.stringify(state)}], { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr.on('data', (chunk) => { if (/scheduler daemon at/.test(chunk)) { console.log('PID', child.pid); process.exit(0) } })
  `
  const parent = spawn(process.execPath, ['-e', launcher], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  parent.stdout.on('data', (chunk) => (output += chunk))
  const pid = Number(await waitFor(() => /PID (\d+)/.exec(output)?.[1], 30_000, () => `the daemon did not start: ${output}`))
  return { pid, port }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

test('launcher watch: a daemon started by npx stops cleanly once npx is gone, instead of running on unowned', async (t) => {
  const { pid } = await orphanedScheduler({ npm_command: 'exec' })
  t.teardown(() => alive(pid) && process.kill(pid, 'SIGKILL'))
  await waitFor(() => !alive(pid), 10_000, () => `the daemon (pid ${pid}) is still running after its launcher exited`)
  t.pass()
})

test('launcher watch: a daemon started any other way outlives its parent, as nohup or a service manager means it to', async (t) => {
  const { pid, port } = await orphanedScheduler({ npm_command: '' })
  t.teardown(() => alive(pid) && process.kill(pid, 'SIGTERM'))
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.true(alive(pid))
  const answer = await fetch(`http://127.0.0.1:${port}/api/ping`, { method: 'POST', body: '{"workerId":"w"}', headers: { 'content-type': 'application/json' } })
  t.true(answer.status < 500)
})
