import test from 'ava'
import { EventHub, ExternalTask, LocalTarget, Task, build, onRunEvent, param, type RunEvent, type TaskContext, type TaskResult } from 'etl'
import { uniqueTag, useTempLayout } from '../helpers/sandbox.js'

let root = ''
test.before(async () => {
  ;({ root } = await useTempLayout())
})

/** What the hooks of each test saw, by tag. */
const seen = new Map<string, string[]>()
function note(tag: string, line: string) {
  seen.set(tag, [...(seen.get(tag) ?? []), line])
}

class Counted extends Task.with({ tag: param.string(), fail: param.bool({ default: false }), throwIn: param.string({ default: '' }) }) {
  override retry = { count: 1, delayMs: 1 }

  override run(ctx: TaskContext) {
    note(this.params.tag, `run ${ctx.attempt}`)
    if (this.params.fail) throw new Error(`attempt ${ctx.attempt} of ${this.params.tag} failed on purpose`)
    return { rows: 42 }
  }

  override async onSuccess(ctx: TaskContext, result: TaskResult | null) {
    note(this.params.tag, `onSuccess rows=${result?.rows} complete=${await this.complete()} attempt=${ctx.attempt}`)
    if (this.params.throwIn === 'onSuccess') throw new Error('the success hook broke')
  }

  override onFailure(_ctx: TaskContext, error: Error) {
    note(this.params.tag, `onFailure ${error.message}`)
    if (this.params.throwIn === 'onFailure') throw new Error('the failure hook broke')
  }
}

class After extends Task.with({ tag: param.string(), throwIn: param.string({ default: '' }) }) {
  override requires() {
    return new Counted({ tag: this.params.tag, throwIn: this.params.throwIn })
  }

  override run() {
    note(this.params.tag, 'after')
  }
}

class Upload extends ExternalTask.with({ tag: param.string() }) {
  override output() {
    return new LocalTarget(`${root}/never-there-${this.params.tag}.csv`)
  }
}

test('onSuccess runs once the task is complete, with its result, before the tasks that need it start', async (t) => {
  const tag = uniqueTag()
  const summary = await build(new After({ tag }))
  t.true(summary.complete)
  t.deepEqual(seen.get(tag), ['run 1', 'onSuccess rows=42 complete=true attempt=1', 'after'])
})

test('onFailure runs once, after the retries, with the last attempt’s error', async (t) => {
  const tag = uniqueTag()
  const summary = await build(new Counted({ tag, fail: true }))
  t.is(summary.outcome, 'task-failed')
  t.deepEqual(seen.get(tag), ['run 1', 'run 2', `onFailure attempt 2 of ${tag} failed on purpose`])
})

test('an onSuccess that throws leaves the task done and the run complete', async (t) => {
  const tag = uniqueTag()
  const summary = await build(new After({ tag, throwIn: 'onSuccess' }))
  t.true(summary.complete)
  t.is(summary.outcome, 'ok')
  t.is(seen.get(tag)?.at(-1), 'after')
})

test('an onFailure that throws does not hide the task’s own error', async (t) => {
  const tag = uniqueTag()
  const summary = await build(new Counted({ tag, fail: true, throwIn: 'onFailure' }))
  t.is(summary.outcome, 'task-failed')
  t.regex(summary.failed[0]!.error!, /attempt 2 of .* failed on purpose/)
})

test('handlers hear started, retry, success and failure of the families they subscribed to, with masked parameters', async (t) => {
  const tag = uniqueTag()
  const events = new EventHub()
  const all: RunEvent[] = []
  const countedOnly: RunEvent[] = []
  events.subscribe(onRunEvent('all', (event) => void all.push(event)))
  events.subscribe(onRunEvent(['success', 'failure', 'retry'], (event) => void countedOnly.push(event), { families: ['Counted'] }))
  await build([new After({ tag }), new Counted({ tag: `${tag}-bad`, fail: true })], { events, run: 'nightly' })
  await events.settle()
  const names = (list: RunEvent[]) => list.map((event) => `${event.event} ${event.task?.family}`).sort()
  t.deepEqual(names(all), ['failure Counted', 'retry Counted', 'started After', 'started Counted', 'started Counted', 'success After', 'success Counted'])
  t.deepEqual(names(countedOnly), ['failure Counted', 'retry Counted', 'success Counted'])
  const failure = all.find((event) => event.event === 'failure')!
  t.is(failure.run, 'nightly')
  t.is(failure.attempt, 2)
  t.is(failure.error, `attempt 2 of ${tag}-bad failed on purpose`)
  t.deepEqual(failure.task!.params, { tag: `${tag}-bad`, fail: 'true', throwIn: '' })
})

test('missing external data is its own event, not a failure', async (t) => {
  const events = new EventHub()
  const heard: RunEvent[] = []
  events.subscribe(onRunEvent(['failure', 'missing_data'], (event) => void heard.push(event)))
  const summary = await build(new Upload({ tag: uniqueTag() }), { events })
  await events.settle()
  t.is(summary.outcome, 'missing-data')
  t.deepEqual(
    heard.map((event) => event.event),
    ['missing_data'],
  )
  t.regex(heard[0]!.error!, /external data for Upload\(.*\) is missing/)
})

test('a handler that throws or rejects is logged and the others still hear the event', async (t) => {
  const warnings: string[] = []
  const logger = { warn: (_: unknown, message: string) => void warnings.push(message) } as unknown as ConstructorParameters<typeof EventHub>[0]
  const events = new EventHub(logger)
  const heard: string[] = []
  events.subscribe(onRunEvent('success', () => {
    throw new Error('sync boom')
  }, { name: 'thrower' }))
  events.subscribe(onRunEvent('success', async () => Promise.reject(new Error('async boom')), { name: 'rejecter' }))
  events.subscribe(onRunEvent('success', (event) => void heard.push(event.task!.family)))
  const summary = await build(new Counted({ tag: uniqueTag() }), { events })
  await events.settle()
  t.true(summary.complete)
  t.deepEqual(heard, ['Counted'])
  t.is(warnings.length, 2)
  t.truthy(warnings.find((message) => /event handler thrower failed on success of Counted\(.*\): sync boom; the run goes on/.test(message)))
  t.truthy(warnings.find((message) => /event handler rejecter failed .*async boom/.test(message)))
})

test('settle stops waiting for a handler that hangs, after its bound', async (t) => {
  const events = new EventHub()
  events.subscribe(onRunEvent('run_finished', () => new Promise(() => {})))
  events.emit({ event: 'run_finished', at: new Date().toISOString(), run: 'x', exitCode: 0 })
  const started = Date.now()
  await events.settle(50)
  t.true(Date.now() - started < 1000)
})

test('an unknown event name is refused with the valid ones', (t) => {
  const error = t.throws(() => onRunEvent(['failed' as 'failure'], () => {}))
  t.regex(error!.message, /unknown event 'failed'; use one of started, success, failure, retry, disabled, missing_data, run_finished, schedule_missed, or 'all'/)
})
