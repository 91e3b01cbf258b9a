import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { CLI_TASKS, runCli, startCli } from '../helpers/cli.js'
import { freePort, waitFor } from '../helpers/daemon-helpers.js'
import { tempDir } from '../helpers/sandbox.js'
import { WebhookServer } from '../helpers/webhook-server.js'

const TOKEN = 'a-token-long-enough-to-be-real'

test('the daemon posts a webhook when it disables a task, with a link to the task’s page; the worker posts the failure itself', async (t) => {
  const webhook = new WebhookServer()
  const hook = await webhook.start()
  t.teardown(() => webhook.stop())
  const daemonDir = await tempDir()
  const port = await freePort()
  const notifications = [{ on: ['disabled'], webhook: { url: `${hook}/daemon` } }]
  await fs.writeFile(path.join(daemonDir, 'etl.config.json'), JSON.stringify({ scheduler: { token: TOKEN, disableAfterFailures: 1, retryDelayMs: 600_000 }, notifications }))
  const daemon = startCli(['scheduler', '--port', String(port), '--state-dir', path.join(daemonDir, 'state')], daemonDir)
  let output = ''
  daemon.stderr!.on('data', (chunk) => (output += chunk))
  daemon.stdout!.on('data', (chunk) => (output += chunk))
  t.teardown(() => void daemon.kill('SIGTERM'))
  await waitFor(() => /scheduler daemon at http/.test(output), 30_000, () => output)

  const cwd = await tempDir()
  await fs.writeFile(path.join(cwd, 'broken.flag'), '')
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify({ notifications: [{ on: ['failure'], webhook: { url: `${hook}/worker` } }] }))
  const run = await runCli(['run', 'FailsUntilFixed', '--tag', 'x', '--scheduler-url', `http://127.0.0.1:${port}`, '--module', CLI_TASKS], cwd, { ETL_WORKER_TOKEN: TOKEN })
  t.is(run.code, 3, run.stdout + run.stderr)
  await webhook.received(2)
  const byPath = Object.fromEntries(webhook.requests.map((request) => [request.url, JSON.parse(request.body) as Record<string, string>]))
  t.like(byPath['/worker'], { event: 'failure', family: 'FailsUntilFixed' })
  t.like(byPath['/daemon'], { event: 'disabled', family: 'FailsUntilFixed' })
  t.regex(byPath['/daemon']!.link!, new RegExp(`^http://127\\.0\\.0\\.1:${port}/#/task/FailsUntilFixed`))
  t.regex(byPath['/worker']!.link!, new RegExp(`^http://127\\.0\\.0\\.1:${port}/#/task/FailsUntilFixed`))
  t.regex(byPath['/daemon']!.error!, /disabled after failing too often/)
})
