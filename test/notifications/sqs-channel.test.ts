import test from 'ava'
import { Notifier } from 'etl'
import { failureEvent, recordingLogger } from '../helpers/run-events.js'
import { SqsServer } from '../helpers/sqs-server.js'

// The SDK's usual sources: credentials and region from the environment, as on a machine with no profile.
process.env.AWS_ACCESS_KEY_ID = 'AKIDNOTIFYTEST'
process.env.AWS_SECRET_ACCESS_KEY = 'notify-test-secret-key'

async function sqs(t: { teardown: (fn: () => Promise<void>) => void }): Promise<SqsServer> {
  const server = new SqsServer()
  await server.start()
  t.teardown(() => server.stop())
  return server
}

test('sqs: a queue receives the failure as the JSON body, with attributes to route on', async (t) => {
  const server = await sqs(t)
  const { logger, warnings } = recordingLogger()
  const queueUrl = server.queue('etl-events')
  const notifier = new Notifier([{ on: ['failure'], sqs: { queueUrl } }], { logger })
  notifier.notify(failureEvent())
  await notifier.close()
  t.deepEqual(warnings(), [])
  t.is(server.messages.length, 1)
  const [message] = server.messages
  t.is(message!.queueUrl, queueUrl)
  t.deepEqual(message!.attributes, { event: 'failure', family: 'LandTable' })
  t.is(message!.accessKeyId, 'AKIDNOTIFYTEST')
  t.is(message!.messageGroupId, undefined)
  t.like(JSON.parse(message!.body), { event: 'failure', run: 'RunJob()', family: 'LandTable', error: 'connection refused' })
})

test('sqs: a FIFO queue gets the run as its message group, so a run’s events stay in order', async (t) => {
  const server = await sqs(t)
  const queueUrl = server.queue('etl-events.fifo')
  const endpoint = new URL(queueUrl).origin
  const notifier = new Notifier([{ on: ['failure'], sqs: { queueUrl, endpoint, region: 'eu-west-1' } }], { logger: recordingLogger().logger })
  notifier.notify(failureEvent({ run: 'RunJob(date=2024-05-01, table=orders)' }))
  await notifier.close()
  t.is(server.messages[0]!.messageGroupId, 'RunJob(date=2024-05-01,_table=orders)')
})

test('sqs: a queue that does not exist is a warning naming the channel, and the caller goes on', async (t) => {
  const server = await sqs(t)
  const { logger, warnings } = recordingLogger()
  const queueUrl = `${new URL(server.queue('etl-events')).origin}/123456789012/missing`
  const notifier = new Notifier([{ name: 'events', on: ['failure'], sqs: { queueUrl } }], { logger })
  notifier.notify(failureEvent())
  await t.notThrowsAsync(notifier.close())
  t.deepEqual(warnings(), [`notification to "events" (sqs ${queueUrl}) failed: send failed: QueueDoesNotExist: The specified queue does not exist.; the run goes on`])
})
