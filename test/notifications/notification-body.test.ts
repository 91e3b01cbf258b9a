import test from 'ava'
import { NOTIFICATION_EVENTS, notificationBody } from 'etl'
import { RUN_EVENT_NAMES } from '../../src/events/run-event.js'
import { eventLine } from '../../src/notifications/notification-body.js'
import { failureEvent, runFinishedEvent } from '../helpers/run-events.js'

test('notification body: channels take every run event but started', (t) => {
  t.deepEqual([...NOTIFICATION_EVENTS], RUN_EVENT_NAMES.filter((name) => name !== 'started'))
})

test('notification body: a failure carries run, task, family, parameters, attempt and the error’s first line', (t) => {
  t.deepEqual(notificationBody(failureEvent({ link: 'http://127.0.0.1:8082/tasks/LandTable_orders_0123456789' })), {
    text: ':x: RunJob(): LandTable(table=orders) failed: connection refused <http://127.0.0.1:8082/tasks/LandTable_orders_0123456789|details>',
    event: 'failure',
    at: '2024-05-01T02:00:00.000Z',
    run: 'RunJob()',
    taskId: 'LandTable_orders_0123456789',
    family: 'LandTable',
    params: { table: 'orders' },
    attempt: 1,
    error: 'connection refused',
    link: 'http://127.0.0.1:8082/tasks/LandTable_orders_0123456789',
  })
})

test('notification body: each event reads as one line', (t) => {
  const task = { id: 'Load_1', label: 'Load(date=2024-05-01, table=orders)', family: 'Load', params: { date: '2024-05-01', table: 'orders' } }
  const texts = [
    notificationBody({ event: 'success', at: '', run: 'RunJob()', task, attempt: 2 }).text,
    notificationBody({ event: 'retry', at: '', run: 'RunJob()', task, attempt: 1, error: 'timeout' }).text,
    notificationBody({ event: 'disabled', at: '', run: 'RunJob()', task, error: 'failed 3 times in 1 h' }).text,
    notificationBody({ event: 'missing_data', at: '', run: 'RunJob()', task, error: 'no export for 2024-05-01' }).text,
    notificationBody(runFinishedEvent({ exitCode: 0 })).text,
    notificationBody({ event: 'schedule_missed', at: '', run: 'nightly', schedule: 'nightly', error: 'the daemon was down at 02:00' }).text,
  ]
  t.deepEqual(texts, [
    ':white_check_mark: RunJob(): Load(date=2024-05-01, table=orders) succeeded on attempt 2',
    ':repeat: RunJob(): Load(date=2024-05-01, table=orders) failed attempt 1 and will be retried: timeout',
    ':no_entry: RunJob(): Load(date=2024-05-01, table=orders) is disabled: failed 3 times in 1 h',
    ':hourglass: RunJob(): Load(date=2024-05-01, table=orders) is missing external data: no export for 2024-05-01',
    ':white_check_mark: RunJob(): finished with exit code 0',
    ':alarm_clock: nightly: schedule nightly missed its run: the daemon was down at 02:00',
  ])
})

test('notification body: the Slack text escapes &, < and >, and a huge error is cut', (t) => {
  const body = notificationBody(failureEvent({ error: `expected <date> & got ${'x'.repeat(1000)}` }))
  t.true(body.text.startsWith(':x: RunJob(): LandTable(table=orders) failed: expected &lt;date&gt; &amp; got xxx'))
  t.true(body.error!.length <= 500 && body.error!.endsWith('…'))
  t.is(eventLine(failureEvent({ error: 'a < b' })), 'RunJob(): LandTable(table=orders) failed: a < b')
})
