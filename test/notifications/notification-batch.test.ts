import test from 'ava'
import { notificationBody } from 'etl'
import { renderBatch } from '../../src/notifications/notification-batch.js'
import { eventLine } from '../../src/notifications/notification-body.js'
import { failureEvent, runFinishedEvent } from '../helpers/run-events.js'

test('notification batch: the subject counts the run’s events by kind, the text lists each one and ends with the summary', (t) => {
  const notices = [failureEvent(), failureEvent(), failureEvent({ event: 'retry' }), runFinishedEvent({ link: 'http://127.0.0.1:8082/runs/7' })].map((event) => ({ body: notificationBody(event), line: eventLine(event) }))
  const batch = renderBatch('RunJob()', notices, '[etl]', 5)
  t.is(batch.subject, '[etl] RunJob(): 2 failures, 1 retry, 5 more, finished with exit code 1')
  t.is(
    batch.text,
    [
      'RunJob(): 2 failures, 1 retry, 5 more, finished with exit code 1',
      '',
      '2024-05-01T02:00:00.000Z  RunJob(): LandTable(table=orders) failed: connection refused',
      '2024-05-01T02:00:00.000Z  RunJob(): LandTable(table=orders) failed: connection refused',
      '2024-05-01T02:00:00.000Z  RunJob(): LandTable(table=orders) failed attempt 1 and will be retried: connection refused',
      '… and 5 more events, not listed',
      '',
      '2024-05-01T02:05:00.000Z  RunJob(): finished with exit code 1',
      '',
      'Scheduled 3 tasks of which:',
      '* 1 failed',
      '',
      'http://127.0.0.1:8082/runs/7',
      '',
    ].join('\n'),
  )
})

test('notification batch: a run name with a line break cannot break the subject header', (t) => {
  const event = failureEvent({ run: 'RunJob()\r\nBcc: all@example.com' })
  t.is(renderBatch(event.run, [{ body: notificationBody(event), line: eventLine(event) }], '[etl]').subject, '[etl] RunJob() Bcc: all@example.com: 1 failure')
})
