import test from 'ava'
import { Notifier } from 'etl'
import { failureEvent, recordingLogger, runFinishedEvent } from '../helpers/run-events.js'
import { SmtpTestServer } from '../helpers/smtp-test-server.js'

const PASSWORD = 'smtp-hunter2-secret'

async function smtp(t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ server: SmtpTestServer; port: number }> {
  const server = new SmtpTestServer({ etl: PASSWORD })
  const port = await server.start()
  t.teardown(() => server.stop())
  return { server, port }
}

function failures(count: number, run = 'RunJob()') {
  return Array.from({ length: count }, (_, index) =>
    failureEvent({ run, task: { id: `LandTable_t${index}_0123`, label: `LandTable(table=t${index})`, family: 'LandTable', params: { table: `t${index}` } }, error: `table t${index}: connection refused` }),
  )
}

test('email: 200 failures send one batched mail over SMTP, logged in with the user and password', async (t) => {
  const { server, port } = await smtp(t)
  const { logger, warnings } = recordingLogger()
  const email = { host: '127.0.0.1', port, user: 'etl', password: PASSWORD, from: 'etl@example.com', to: ['ops@example.com', 'Data Team <data@example.com>'] }
  const notifier = new Notifier([{ name: 'ops-mail', on: ['failure', 'run_finished'], email }], { logger })
  for (const event of failures(200)) notifier.notify(event)
  notifier.notify(runFinishedEvent())
  t.is(server.mails.length, 0, 'nothing is mailed before flush')
  await notifier.close()
  t.is(server.mails.length, 1)
  const [mail] = server.mails
  t.is(mail!.user, 'etl')
  t.is(mail!.from, 'etl@example.com')
  t.deepEqual(mail!.to, ['ops@example.com', 'data@example.com'])
  t.is(mail!.subject, '[etl] RunJob(): 200 failures, finished with exit code 1')
  const lines = mail!.text.split('\n')
  t.is(lines.filter((line) => line.includes('failed: table')).length, 200)
  t.true(lines.includes('2024-05-01T02:00:00.000Z  RunJob(): LandTable(table=t0) failed: table t0: connection refused'))
  t.true(mail!.text.includes('2024-05-01T02:05:00.000Z  RunJob(): finished with exit code 1\n\nScheduled 3 tasks of which:\n* 1 failed'))
  t.false(mail!.raw.includes(PASSWORD))
  t.deepEqual(warnings(), [])
})

test('email: each run gets its own mail, and a second flush sends only what came after the first', async (t) => {
  const { server, port } = await smtp(t)
  const notifier = new Notifier([{ on: ['failure'], email: { host: '127.0.0.1', port, user: 'etl', password: PASSWORD, from: 'etl@example.com', to: 'ops@example.com', subjectPrefix: '[nightly]' } }], {
    logger: recordingLogger().logger,
  })
  for (const event of [...failures(2, 'RunJob(date=2024-05-01)'), ...failures(1, 'Report()')]) notifier.notify(event)
  await notifier.flush()
  t.deepEqual(server.mails.map((mail) => mail.subject).sort(), ['[nightly] Report(): 1 failure', '[nightly] RunJob(date=2024-05-01): 2 failures'])
  await notifier.flush()
  t.is(server.mails.length, 2)
  notifier.notify(failures(1)[0]!)
  await notifier.close()
  t.is(server.mails.length, 3)
})

test('email: a refused login is logged naming the channel, never with the password, and the caller goes on', async (t) => {
  const { server, port } = await smtp(t)
  const { logger, lines, warnings } = recordingLogger()
  const notifier = new Notifier([{ name: 'ops-mail', on: ['failure'], email: { host: '127.0.0.1', port, user: 'etl', password: 'wrong-password-here', from: 'etl@example.com', to: 'ops@example.com' } }], { logger })
  notifier.notify(failureEvent())
  await t.notThrowsAsync(notifier.close())
  t.is(server.mails.length, 0)
  t.deepEqual(server.logins, [{ user: 'etl', password: 'wrong-password-here' }])
  t.is(warnings().length, 1)
  t.regex(warnings()[0]!, /^notification to "ops-mail" \(email via 127\.0\.0\.1:\d+ to ops@example\.com\) failed: mail not sent: Invalid login: 535 .*; the run goes on$/)
  t.false(lines.join('').includes('wrong-password-here'))
})

test('email: a server that is not there is tried again, then a warning, within the flush', async (t) => {
  const server = new SmtpTestServer()
  const port = await server.start()
  await server.stop()
  const { logger, warnings } = recordingLogger()
  const notifier = new Notifier([{ on: ['failure'], email: { host: '127.0.0.1', port, from: 'etl@example.com', to: 'ops@example.com', retries: 1, backoffMs: 50 } }], { logger })
  notifier.notify(failureEvent())
  await notifier.close({ timeoutMs: 5000 })
  t.regex(warnings()[0] ?? '', /failed: mail not sent after 2 tries: .*ECONNREFUSED.*; the run goes on$/)
})

test('email: a server that answers 451 (try again later) gets the mail on a later try, once', async (t) => {
  const { server, port } = await smtp(t)
  const { logger, warnings } = recordingLogger()
  server.deferNext(2)
  const notifier = new Notifier([{ on: ['failure'], email: { host: '127.0.0.1', port, user: 'etl', password: PASSWORD, from: 'etl@example.com', to: 'ops@example.com', backoffMs: 20 } }], { logger })
  notifier.notify(failureEvent())
  await notifier.close()
  t.is(server.deferred, 2)
  t.is(server.mails.length, 1)
  t.deepEqual(warnings(), [])
})

test('email: a notifier that stops waiting during the backoff before a retry sends nothing more', async (t) => {
  const { server, port } = await smtp(t)
  const { logger, warnings } = recordingLogger()
  server.deferNext(100)
  const notifier = new Notifier([{ on: ['failure'], email: { host: '127.0.0.1', port, user: 'etl', password: PASSWORD, from: 'etl@example.com', to: 'ops@example.com', backoffMs: 1000 } }], { logger })
  notifier.notify(failureEvent())
  await notifier.close({ timeoutMs: 400 })
  // Past the backoff: a try after the stop would have reached the server by now.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.is(server.deferred, 1)
  t.is(server.mails.length, 0)
  t.regex(warnings().join('\n'), /stopped/)
})

