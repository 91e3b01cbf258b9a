import test from 'ava'
import { Notifier, resolveConfig, SecretMasker } from 'etl'
import { failureEvent, recordingLogger, runFinishedEvent } from '../helpers/run-events.js'
import { SmtpTestServer } from '../helpers/smtp-test-server.js'
import { WebhookServer } from '../helpers/webhook-server.js'

async function webhook(t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ server: WebhookServer; url: string }> {
  const server = new WebhookServer()
  const url = await server.start()
  t.teardown(() => server.stop())
  return { server, url }
}

const loadTable = (table: string) => ({ id: `LoadTable_${table}_1`, label: `LoadTable(table=${table})`, family: 'LoadTable', params: { table } })

test('notifier: a channel filtered by family ignores other families but still gets run_finished', async (t) => {
  const { server, url } = await webhook(t)
  const notifier = new Notifier([{ on: ['failure', 'run_finished', 'schedule_missed'], families: ['LoadTable'], webhook: { url } }], { logger: recordingLogger().logger })
  notifier.notify(failureEvent())
  notifier.notify(failureEvent({ task: loadTable('orders') }))
  notifier.notify(runFinishedEvent())
  notifier.notify({ event: 'schedule_missed', at: '2024-05-01T02:00:00.000Z', run: 'nightly', schedule: 'nightly' })
  await notifier.flush()
  const bodies = server.requests.map((request) => JSON.parse(request.body) as { event: string; family?: string })
  t.deepEqual(bodies.map((body) => `${body.event}:${body.family ?? '-'}`).sort(), ['failure:LoadTable', 'run_finished:-', 'schedule_missed:-'])
})

test('notifier: each channel gets only the events it is on', async (t) => {
  const failures = await webhook(t)
  const everything = await webhook(t)
  const notifier = new Notifier(
    [
      { on: ['failure'], webhook: { url: failures.url } },
      { on: ['success', 'failure', 'retry', 'disabled', 'missing_data', 'run_finished'], webhook: { url: everything.url } },
    ],
    { logger: recordingLogger().logger },
  )
  t.is(notifier.size, 2)
  for (const event of ['started', 'success', 'failure', 'retry', 'disabled', 'missing_data'] as const) notifier.notify(failureEvent({ event }))
  notifier.notify(runFinishedEvent())
  await notifier.flush()
  t.deepEqual(failures.server.requests.map((request) => JSON.parse(request.body).event), ['failure'])
  t.deepEqual(everything.server.requests.map((request) => JSON.parse(request.body).event).sort(), ['disabled', 'failure', 'missing_data', 'retry', 'run_finished', 'success'])
})

test('notifier: the SMTP password and a webhook token never appear in logs or bodies, even when an error quotes them', async (t) => {
  const password = 'p4ss-W0rd-for-smtp'
  const token = 'xoxbHookToken1234567890'
  const smtp = new SmtpTestServer({ etl: password })
  const port = await smtp.start()
  t.teardown(() => smtp.stop())
  const { server, url } = await webhook(t)
  server.failNext(1)
  const failing = await webhook(t)
  failing.server.failNext(100)
  const config = resolveConfig(
    {
      notifications: [
        { name: 'mail', on: ['failure'], email: { host: '127.0.0.1', port, user: 'etl', password: '${SMTP_PASSWORD}', from: 'etl@example.com', to: 'ops@example.com' } },
        { name: 'slack', on: ['failure'], webhook: { url: `${url}/services/T0/B0/\${HOOK_TOKEN}`, headers: { Authorization: 'Bearer ${HOOK_TOKEN}' }, backoffMs: 1 } },
        { name: 'broken', on: ['failure'], webhook: { url: `${failing.url}/hook?token=\${HOOK_TOKEN}`, retries: 0 } },
        { name: 'echo', on: ['failure'], command: { argv: [process.execPath, '-e', 'process.stderr.write(process.env.ETL_ERROR); process.exit(1)'] } },
      ],
    },
    { env: { SMTP_PASSWORD: password, HOOK_TOKEN: token } },
  )
  const { logger, lines, warnings } = recordingLogger()
  const notifier = new Notifier(config.raw.notifications!, { logger })
  notifier.notify(failureEvent({ error: `login as etl/${password} failed posting to ${url}/services/T0/B0/${token}` }))
  await notifier.close()

  t.is(server.requests.length, 2, 'the webhook was retried and delivered')
  t.is(server.requests[1]!.url, `/services/T0/B0/${token}`, 'the real token was used to send')
  t.is(server.requests[1]!.headers.authorization, `Bearer ${token}`)
  t.is(smtp.mails.length, 1, 'the mail was sent with the real password')
  t.deepEqual(smtp.logins, [{ user: 'etl', password }])
  const sent = [...server.requests.map((request) => request.body), ...failing.server.requests.map((request) => request.body), ...smtp.mails.map((mail) => mail.raw)]
  const logged = lines.join('\n')
  for (const text of [...sent, logged]) {
    t.false(text.includes(password), 'no password')
    t.false(text.includes(token), 'no token')
  }
  t.is(JSON.parse(server.requests[1]!.body).error, 'login as etl/•••• failed posting to ••••', 'the whole webhook URL is a secret')
  t.deepEqual(warnings().sort(), [
    `notification to "broken" (webhook ${failing.url}/…) failed: POST failed: HTTP 500: server error; the run goes on`,
    `notification to "echo" (command ${process.execPath}) failed: exited with code 1: login as etl/•••• failed posting to ••••; the run goes on`,
  ])
})

test('notifier: the run’s own secrets are masked in what it sends', async (t) => {
  const { server, url } = await webhook(t)
  const secrets = new SecretMasker()
  secrets.add('hunter2')
  const notifier = new Notifier([{ on: ['failure'], webhook: { url } }], { logger: recordingLogger().logger, secrets })
  notifier.notify(failureEvent({ error: 'password hunter2 refused' }))
  await notifier.flush()
  t.false(server.requests[0]!.body.includes('hunter2'))
  t.is(JSON.parse(server.requests[0]!.body).error, 'password •••• refused')
})

test('notifier: a channel failing for every event warns three times, then counts the rest at the flush', async (t) => {
  const { server, url } = await webhook(t)
  server.failNext(1000)
  const { logger, warnings } = recordingLogger()
  const notifier = new Notifier([{ name: 'down', on: ['failure'], webhook: { url, retries: 0 } }], { logger })
  for (let index = 0; index < 10; index += 1) notifier.notify(failureEvent({ task: loadTable(`t${index}`) }))
  await notifier.flush()
  const said = warnings()
  t.is(said.length, 4)
  t.is(said.filter((line) => line.endsWith('failed: POST failed: HTTP 500: server error; the run goes on')).length, 3)
  t.is(said[3], `notification to "down" (webhook ${url}): 7 more sends failed`)
})

test('notifier: with no channels, notify and flush do nothing and never throw', async (t) => {
  const notifier = new Notifier([], { logger: recordingLogger().logger })
  t.is(notifier.size, 0)
  t.notThrows(() => notifier.notify(failureEvent()))
  await t.notThrowsAsync(notifier.close({ timeoutMs: 10 }))
})
