import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { startSchedulerDaemon, type TaskRecord } from 'etl'
import { runCli, startCli } from '../helpers/cli.js'
import { freePort, waitFor } from '../helpers/daemon-helpers.js'
import { tempDir } from '../helpers/sandbox.js'

const record = (id: string): TaskRecord => ({ id, family: 'A', params: {}, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {} })

test('cli: etl scheduler refuses a state folder missing its snapshot, naming the file and --recover, which starts it and says what was lost', async (t) => {
  const cwd = await tempDir()
  const stateDir = path.join(cwd, 'state')
  const daemon = await startSchedulerDaemon({ port: 0, stateDir, history: false })
  await daemon.scheduler.addTasks({ workerId: 'w1', tasks: [record('A_1')] })
  await daemon.close()
  await fs.rm(path.join(stateDir, 'state.json'))

  const refused = await runCli(['scheduler', '--port', String(await freePort()), '--state-dir', stateDir], cwd)
  t.is(refused.code, 5, refused.stderr)
  t.regex(refused.stderr, /^etl: the scheduler state in .*state is damaged, and the daemon will not start on part of it:\n {2}- .*state\.json is missing, but .*journal\.ndjson is there/m)
  t.notRegex(refused.stderr, /ERROR/, 'no other error is made up on the way out')
  t.regex(refused.stderr, /start with `etl scheduler --recover` to rebuild from what is intact/)
  t.notRegex(refused.stderr, /unexpected error|\n\s+at /)

  const child = startCli(['scheduler', '--port', String(await freePort()), '--state-dir', stateDir, '--recover'], cwd)
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const closed = new Promise((resolve) => child.on('close', resolve))
  t.teardown(async () => {
    child.kill('SIGTERM')
    await closed
  })
  await waitFor(() => /scheduler daemon at http/.test(output), 30_000, () => output)
  t.regex(output, /recovering the scheduler state: lost the snapshot .*state\.json: every change up to \d+/)
  t.regex(output, /recovered with 1 piece\(s\) lost/)
})
