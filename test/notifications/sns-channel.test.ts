import test from 'ava'
import { Notifier } from 'etl'
import { failureEvent, recordingLogger, runFinishedEvent } from '../helpers/run-events.js'
import { SnsServer } from '../helpers/sns-server.js'

// The SDK's usual sources: credentials from the environment, as on a machine with no profile.
process.env.AWS_ACCESS_KEY_ID = 'AKIDNOTIFYTEST'
process.env.AWS_SECRET_ACCESS_KEY = 'notify-test-secret-key'

async function sns(t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ server: SnsServer; endpoint: string }> {
  const server = new SnsServer()
  const endpoint = await server.start()
  t.teardown(() => server.stop())
  return { server, endpoint }
}

test('sns: a topic receives the failure as the JSON body, with a short subject and attributes to filter on', async (t) => {
  const { server, endpoint } = await sns(t)
  const { logger, warnings } = recordingLogger()
  const topicArn = server.topic('etl-alerts', 'eu-west-1')
  const notifier = new Notifier([{ on: ['failure'], sns: { topicArn, endpoint } }], { logger })
  notifier.notify(failureEvent())
  await notifier.close()
  t.deepEqual(warnings(), [])
  t.is(server.published.length, 1)
  const [published] = server.published
  t.is(published!.topicArn, topicArn)
  t.is(published!.subject, 'RunJob(): LandTable(table=orders) failed: connection refused')
  t.deepEqual(published!.attributes, { event: 'failure', family: 'LandTable' })
  t.is(published!.accessKeyId, 'AKIDNOTIFYTEST')
  t.like(JSON.parse(published!.message), { event: 'failure', taskId: 'LandTable_orders_0123456789', error: 'connection refused', text: ':x: RunJob(): LandTable(table=orders) failed: connection refused' })
})

test('sns: a long or non-ASCII line becomes a subject SNS takes: printable ASCII, under 100 characters', async (t) => {
  const { server, endpoint } = await sns(t)
  const topicArn = server.topic('etl-alerts')
  const notifier = new Notifier([{ on: ['failure', 'run_finished'], sns: { topicArn, endpoint, accessKeyId: 'AKIDFROMCONFIG', secretAccessKey: 'config-secret' } }], { logger: recordingLogger().logger })
  notifier.notify(failureEvent({ error: `Zeitüberschreitung ${'x'.repeat(200)}` }))
  notifier.notify(runFinishedEvent())
  await notifier.close()
  const subjects = server.published.map((message) => message.subject ?? '')
  t.is(subjects.length, 2)
  for (const subject of subjects) t.regex(subject, /^[\x20-\x7e]{1,99}$/)
  t.true(subjects.some((subject) => subject.startsWith('RunJob(): LandTable(table=orders) failed: Zeit berschreitung xxx') && subject.endsWith('...')))
  t.deepEqual(server.published.map((message) => message.accessKeyId), ['AKIDFROMCONFIG', 'AKIDFROMCONFIG'])
  t.deepEqual(server.published.find((message) => JSON.parse(message.message).event === 'run_finished')!.attributes, { event: 'run_finished' })
})

test('sns: a topic that does not exist is a warning naming the channel and the error, and the caller goes on', async (t) => {
  const { endpoint } = await sns(t)
  const { logger, warnings } = recordingLogger()
  const topicArn = 'arn:aws:sns:us-east-1:123456789012:no-such-topic'
  const notifier = new Notifier([{ name: 'alerts', on: ['failure'], sns: { topicArn, endpoint } }], { logger })
  notifier.notify(failureEvent())
  await t.notThrowsAsync(notifier.close())
  t.deepEqual(warnings(), [`notification to "alerts" (sns ${topicArn}) failed: publish failed: NotFoundException: Topic does not exist; the run goes on`])
})
