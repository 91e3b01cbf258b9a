import test from 'ava'
import { Notifier } from 'etl'
import { failureEvent, recordingLogger, runFinishedEvent } from '../helpers/run-events.js'
import { WebhookServer } from '../helpers/webhook-server.js'
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../src/notifications/retry-after.js'

async function webhook(t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ server: WebhookServer; url: string }> {
  const server = new WebhookServer()
  const url = `${await server.start()}/hooks/etl`
  t.teardown(() => server.stop())
  return { server, url }
}

test('webhook: a failure event posts one JSON body with its error and a Slack text', async (t) => {
  const { server, url } = await webhook(t)
  const { logger, warnings } = recordingLogger()
  const notifier = new Notifier([{ name: 'ops', on: ['failure'], webhook: { url } }], { logger })
  notifier.notify(failureEvent())
  notifier.notify(failureEvent({ event: 'success', error: undefined }))
  await notifier.flush()
  t.is(server.requests.length, 1)
  const [request] = server.requests
  t.is(request!.method, 'POST')
  t.is(request!.url, '/hooks/etl')
  t.is(request!.headers['content-type'], 'application/json')
  const body = JSON.parse(request!.body) as Record<string, unknown>
  t.like(body, { event: 'failure', run: 'RunJob()', taskId: 'LandTable_orders_0123456789', family: 'LandTable', params: { table: 'orders' }, error: 'connection refused', attempt: 1 })
  t.is(body.text, ':x: RunJob(): LandTable(table=orders) failed: connection refused')
  t.deepEqual(warnings(), [])
})

test('webhook: the end of a run carries its summary, exit code and the link to the daemon UI', async (t) => {
  const { server, url } = await webhook(t)
  const notifier = new Notifier([{ on: ['run_finished'], webhook: { url } }], { logger: recordingLogger().logger })
  notifier.notify(runFinishedEvent({ link: 'http://127.0.0.1:8082/runs/42' }))
  await notifier.flush()
  const body = JSON.parse(server.requests[0]!.body) as Record<string, unknown>
  t.like(body, { event: 'run_finished', exitCode: 1, summary: 'Scheduled 3 tasks of which:\n* 1 failed', link: 'http://127.0.0.1:8082/runs/42' })
  t.is(body.text, ':x: RunJob(): finished with exit code 1 <http://127.0.0.1:8082/runs/42|details>')
})

test('webhook: a webhook that fails twice is retried and delivered on the third try', async (t) => {
  const { server, url } = await webhook(t)
  const { logger, warnings } = recordingLogger()
  server.failNext(2, 503)
  const notifier = new Notifier([{ on: ['failure'], webhook: { url, backoffMs: 20 } }], { logger })
  notifier.notify(failureEvent())
  await notifier.flush()
  t.deepEqual(
    server.requests.map((request) => request.answer),
    [503, 503, 200],
  )
  t.is(server.requests[2]!.body, server.requests[0]!.body)
  t.deepEqual(warnings(), [])
})

test('webhook: the retries back off, each wait double the one before', async (t) => {
  const { server, url } = await webhook(t)
  server.failNext(3)
  const notifier = new Notifier([{ on: ['failure'], webhook: { url, backoffMs: 100, retries: 3 } }], { logger: recordingLogger().logger })
  const arrivals: number[] = []
  const started = Date.now()
  notifier.notify(failureEvent())
  for (let count = 1; count <= 4; count += 1) {
    await server.received(count)
    arrivals.push(Date.now() - started)
  }
  await notifier.flush()
  const waits = arrivals.slice(1).map((at, index) => at - arrivals[index]!)
  t.true(waits[0]! >= 90 && waits[1]! >= 190 && waits[2]! >= 390, `waits ${waits.join(', ')} ms`)
})

test('webhook: a 429 with Retry-After waits as long as the server asks before the next try', async (t) => {
  const { server, url } = await webhook(t)
  server.failNext(1, 429, { 'retry-after': '1' })
  const notifier = new Notifier([{ on: ['failure'], webhook: { url, backoffMs: 10 } }], { logger: recordingLogger().logger })
  const started = Date.now()
  notifier.notify(failureEvent())
  await server.received(1)
  const first = Date.now() - started
  await server.received(2)
  const wait = Date.now() - started - first
  await notifier.flush()
  t.deepEqual(
    server.requests.map((request) => request.answer),
    [429, 200],
  )
  t.true(wait >= 950, `waited ${wait} ms, not the 10 ms backoff`)
})

test('webhook: Retry-After is read as seconds or an HTTP date, and a wait past a minute is cut to a minute', (t) => {
  const now = Date.parse('2026-12-01T12:00:00Z')
  t.is(retryAfterMs('7', now), 7000)
  t.is(retryAfterMs('Tue, 01 Dec 2026 12:00:30 GMT', now), 30_000)
  t.is(retryAfterMs('Tue, 01 Dec 2026 11:59:00 GMT', now), 0)
  t.is(retryAfterMs('3600', now), MAX_RETRY_AFTER_MS)
  t.is(retryAfterMs('soon', now), undefined)
  t.is(retryAfterMs(null, now), undefined)
})

test('webhook: one that keeps failing is given up after its retries and logged as a warning naming the channel', async (t) => {
  const { server, url } = await webhook(t)
  const { logger, warnings } = recordingLogger()
  server.failNext(100)
  const notifier = new Notifier([{ name: 'ops-slack', on: ['failure'], webhook: { url, retries: 2, backoffMs: 1 } }], { logger })
  notifier.notify(failureEvent())
  await t.notThrowsAsync(notifier.flush())
  t.is(server.requests.length, 3)
  t.deepEqual(warnings(), [`notification to "ops-slack" (webhook ${new URL(url).origin}/…) failed: POST failed after 3 tries: HTTP 500: server error; the run goes on`])
})

test('webhook: a 4xx answer other than 429 is not retried: the request itself is wrong', async (t) => {
  const { server, url } = await webhook(t)
  const { logger, warnings } = recordingLogger()
  server.failNext(1, 404)
  const notifier = new Notifier([{ on: ['failure'], webhook: { url, backoffMs: 1 } }], { logger })
  notifier.notify(failureEvent())
  await notifier.flush()
  t.is(server.requests.length, 1)
  t.regex(warnings()[0]!, /^notification to notifications\[0\] \(webhook .*\) failed: POST failed: HTTP 404: server error; the run goes on$/)
})

test('webhook: a hanging webhook times out, is retried, and is then logged; notify never waited for it', async (t) => {
  const { server, url } = await webhook(t)
  const { logger, warnings } = recordingLogger()
  server.hang()
  const notifier = new Notifier([{ name: 'slow', on: ['failure'], webhook: { url, timeoutMs: 150, retries: 1, backoffMs: 1 } }], { logger })
  const before = Date.now()
  notifier.notify(failureEvent())
  t.true(Date.now() - before < 50, 'notify returns at once')
  await notifier.flush()
  t.is(server.requests.length, 2)
  t.true(Date.now() - before < 2000)
  t.deepEqual(warnings(), [`notification to "slow" (webhook ${new URL(url).origin}/…) failed: POST failed after 2 tries: no answer within 150 ms; the run goes on`])
})

test('webhook: flush returns within its bound while a webhook hangs, stopping the send and saying so', async (t) => {
  const { server, url } = await webhook(t)
  const { logger, warnings } = recordingLogger()
  server.hang()
  const notifier = new Notifier([{ name: 'slow', on: ['failure'], webhook: { url, timeoutMs: 60_000 } }], { logger })
  notifier.notify(failureEvent())
  notifier.notify(failureEvent({ task: { id: 'LandTable_items_1', label: 'LandTable(table=items)', family: 'LandTable', params: { table: 'items' } } }))
  await server.received(2)
  const before = Date.now()
  await notifier.flush({ timeoutMs: 300 })
  const took = Date.now() - before
  t.true(took >= 290 && took < 1500, `flush took ${took} ms`)
  t.deepEqual(warnings(), [`notification to "slow" (webhook ${new URL(url).origin}/…): 2 sends still going after 300 ms, stopped; the run goes on`])
})

test('webhook: a refused connection is retried, then logged as refused, and never thrown', async (t) => {
  const server = new WebhookServer()
  const url = await server.start()
  await server.stop()
  const { logger, warnings } = recordingLogger()
  const notifier = new Notifier([{ on: ['failure'], webhook: { url, retries: 1, backoffMs: 1 } }], { logger })
  t.notThrows(() => notifier.notify(failureEvent()))
  await t.notThrowsAsync(notifier.flush())
  t.regex(warnings()[0]!, /failed: POST failed after 2 tries: connection refused \(ECONNREFUSED\); the run goes on$/)
})

test('webhook: its headers go with every request', async (t) => {
  const { server, url } = await webhook(t)
  const notifier = new Notifier([{ on: ['failure'], webhook: { url, headers: { Authorization: 'Bearer s3cr3t-token-value', 'X-Team': 'data' } } }], { logger: recordingLogger().logger })
  notifier.notify(failureEvent())
  await notifier.flush()
  t.is(server.requests[0]!.headers.authorization, 'Bearer s3cr3t-token-value')
  t.is(server.requests[0]!.headers['x-team'], 'data')
})
