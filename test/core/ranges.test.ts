import test from 'ava'
import { EtlError, RangeDaily, RangeHourly, Task, TaskRegistry, build, param, type TaskContext, type TaskLike } from 'etl'
import { useTempLayout, uniqueTag } from '../helpers/sandbox.js'

await useTempLayout()

/** Runs, by tag, in the order they ran. */
const ran = new Map<string, string[]>()

class LoadDay extends Task.with({ date: param.date(), tag: param.string() }) {
  override run(_ctx: TaskContext) {
    ran.set(this.params.tag, [...(ran.get(this.params.tag) ?? []), this.params.date])
  }
}

class LoadHour extends Task.with({ at: param.datetime(), tag: param.string() }) {
  override run() {
    ran.set(this.params.tag, [...(ran.get(this.params.tag) ?? []), this.params.at.toISOString().slice(0, 13)])
  }
}

class TwoDates extends Task.with({ date: param.date(), asOf: param.date(), tag: param.string() }) {}
class NoDate extends Task.with({ region: param.string(), token: param.secret() }) {}
class SecretDay extends Task.with({ date: param.date(), token: param.secret() }) {}

function dateOf(task: TaskLike): string {
  return (task as LoadDay).params.date
}

function hourOf(task: TaskLike): string {
  return (task as LoadHour).params.at.toISOString().slice(0, 13)
}

function day(date: string, plus: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + plus * 86_400_000).toISOString().slice(0, 10)
}

async function markDone(tag: string, dates: string[]): Promise<void> {
  for (const date of dates) await new LoadDay({ date, tag }).marker().write('{}')
}

test('range-daily: requires only the missing days, oldest first, and a run completes them once each', async (t) => {
  const tag = uniqueTag()
  await markDone(tag, ['2024-01-02', '2024-01-04'])
  const range = new RangeDaily({ of: LoadDay, ofParams: { tag }, start: '2024-01-01', stop: '2024-01-06' })
  t.false(await range.complete())
  t.deepEqual(range.requires().map(dateOf), ['2024-01-01', '2024-01-03', '2024-01-05'])
  const summary = await build(range)
  t.is(summary.outcome, 'ok')
  t.deepEqual(ran.get(tag), ['2024-01-01', '2024-01-03', '2024-01-05'])
  t.true(await new RangeDaily({ of: LoadDay, ofParams: { tag }, start: '2024-01-01', stop: '2024-01-06' }).complete())
})

test('range-daily: reverse and taskLimit take the newest missing days first, a few at a time', async (t) => {
  const tag = uniqueTag()
  const range = new RangeDaily({ of: LoadDay, ofParams: { tag }, start: '2024-03-01', stop: '2024-03-11', reverse: true, taskLimit: 3 })
  await range.prepare()
  t.deepEqual(range.requires().map(dateOf), ['2024-03-10', '2024-03-09', '2024-03-08'])
  t.is(range.plan!.instances.length, 10)
})

test('range-daily: without start, daysBack looks back from now, so a nightly run catches up the days it missed', async (t) => {
  const tag = uniqueTag()
  const now = new Date('2024-05-10T02:00:00Z')
  // The schedule ran until May 6; May 7, 8 and 9 (and today, May 10) were missed.
  await markDone(tag, ['2024-05-04', '2024-05-05', '2024-05-06'])
  const nightly = () => new RangeDaily({ of: 'LoadDay', ofParams: { tag }, daysBack: 7, now })
  await build(nightly())
  t.deepEqual(ran.get(tag), ['2024-05-07', '2024-05-08', '2024-05-09', '2024-05-10'])
  t.true(await nightly().complete())
  t.is(nightly().id, new RangeDaily({ of: 'LoadDay', ofParams: { tag }, daysBack: 7 }).id, 'now does not change which task it is')
})

test('range-daily: daysForward -1 stops at yesterday, and everyDays steps through every n-th day', async (t) => {
  const tag = uniqueTag()
  const range = new RangeDaily({ of: LoadDay, ofParams: { tag }, daysBack: 3, daysForward: -1, now: new Date('2024-05-10T02:00:00Z') })
  t.deepEqual(range.instances().map(dateOf), ['2024-05-08', '2024-05-09'])
  const weekly = new RangeDaily({ of: LoadDay, ofParams: { tag }, start: '2024-01-01', stop: '2024-02-01', everyDays: 7 })
  t.deepEqual(weekly.instances().map(dateOf), ['2024-01-01', '2024-01-08', '2024-01-15', '2024-01-22', '2024-01-29'])
})

test('range-hourly: requires the missing hours of a datetime parameter, stop exclusive', async (t) => {
  const tag = uniqueTag()
  await new LoadHour({ at: new Date('2024-01-01T01:00:00Z'), tag }).marker().write('{}')
  const range = new RangeHourly({ of: LoadHour, ofParams: { tag }, start: new Date('2024-01-01T00:00:00Z'), stop: new Date('2024-01-01T04:00:00Z') })
  const summary = await build(range)
  t.is(summary.outcome, 'ok')
  t.deepEqual(ran.get(tag), ['2024-01-01T00', '2024-01-01T02', '2024-01-01T03'])
  const lookback = new RangeHourly({ of: LoadHour, ofParams: { tag }, hoursBack: 3, now: new Date('2024-01-01T05:30:00Z') })
  t.deepEqual(lookback.instances().map(hourOf), ['2024-01-01T03', '2024-01-01T04', '2024-01-01T05'])
})

test('ranges: the stepped parameter is found by itself, or refused naming the parameters and the fix', (t) => {
  t.is(new RangeDaily({ of: LoadHour, ofParams: { tag: 'x' }, start: '2024-01-01', stop: '2024-01-02' }).parameter.name, 'at')
  const several = t.throws(() => new RangeDaily({ of: TwoDates, ofParams: { tag: 'x' }, start: '2024-01-01' }), { instanceOf: EtlError })
  t.is(several.code, 'ETL_ERR_RANGE_PARAM')
  t.regex(several.message, /TwoDates has several date or datetime parameters \(date, asOf\); say which to step through with the range's param 'date' \(--param date\)/)
  t.is(new RangeDaily({ of: TwoDates, param: 'asOf', ofParams: { tag: 'x', date: '2024-01-01' }, start: '2024-01-01' }).parameter.name, 'asOf')
  const none = t.throws(() => new RangeDaily({ of: NoDate, start: '2024-01-01' }), { instanceOf: EtlError })
  t.regex(none.message, /NoDate has no date or datetime parameter to step through \(its parameters: region, token\)/)
  const typo = t.throws(() => new RangeDaily({ of: TwoDates, param: 'asof', start: '2024-01-01' }), { instanceOf: EtlError })
  t.regex(typo.message, /TwoDates has no parameter 'asof' \(did you mean asOf\?\); its parameters: date, asOf, tag/)
  const notDate = t.throws(() => new RangeDaily({ of: TwoDates, param: 'tag', start: '2024-01-01' }), { instanceOf: EtlError })
  t.regex(notDate.message, /parameter 'tag' of TwoDates is a string, not a date or datetime/)
  const hourlyOverDate = t.throws(() => new RangeHourly({ of: LoadDay, ofParams: { tag: 'x' }, start: new Date('2024-01-01T00:00:00Z') }), { instanceOf: EtlError })
  t.regex(hourlyOverDate.message, /parameter 'date' of LoadDay is a date, which has no hours: step through it by days/)
})

test('ranges: a malformed span, step, ofParams or of is refused before anything runs, with its message', (t) => {
  const backwards = t.throws(() => new RangeDaily({ of: LoadDay, ofParams: { tag: 'x' }, start: '2024-02-01', stop: '2024-01-01' }), { instanceOf: EtlError })
  t.is(backwards.code, 'ETL_ERR_RANGE_INTERVAL')
  t.regex(backwards.message, /start 2024-02-01 is after stop 2024-01-01; swap them \(stop is exclusive\)/)
  const step = t.throws(() => new RangeDaily({ of: LoadDay, ofParams: { tag: 'x' }, start: '2024-01-01', everyDays: 0 }), { instanceOf: EtlError })
  t.is(step.code, 'ETL_ERR_RANGE_STEP')
  const sets = t.throws(() => new RangeDaily({ of: LoadDay, ofParams: { tag: 'x', date: '2024-01-01' }, start: '2024-01-01' }), { instanceOf: EtlError })
  t.regex(sets.message, /ofParams of RangeDaily sets 'date', the parameter the range steps through/)
  const notObject = t.throws(() => new RangeDaily({ of: LoadDay, ofParams: ['x'] as never, start: '2024-01-01' }), { instanceOf: EtlError })
  t.regex(notObject.message, /ofParams of RangeDaily must be a JSON object of LoadDay's other parameters/)
  const missing = t.throws(() => new RangeDaily({ of: LoadDay, start: '2024-01-01' }), { instanceOf: EtlError })
  t.is(missing.code, 'ETL_ERR_PARAM_MISSING')
  t.regex(missing.message, /task 'LoadDay' needs parameter 'tag'/)
  const unknown = t.throws(() => new RangeDaily({ of: 'LoadDya', start: '2024-01-01' }), { instanceOf: EtlError })
  t.is(unknown.code, 'ETL_ERR_TASK_UNKNOWN')
  t.regex(unknown.message, /RangeDaily: unknown task 'LoadDya' for 'of'; known tasks: .*LoadDay/)
  const huge = t.throws(() => new RangeHourly({ of: LoadHour, ofParams: { tag: 'x' }, start: new Date('1900-01-01T00:00:00Z'), stop: new Date('2100-01-01T00:00:00Z') }), { instanceOf: EtlError })
  t.regex(huge.message, /would hold 1753176 instances, more than 250000; split it into shorter ranges/)
})

test('ranges: a secret of the of task is refused in ofParams, pointing at the config', (t) => {
  const secret = t.throws(() => new RangeDaily({ of: SecretDay, ofParams: { token: 'hunter2' }, start: '2024-01-01' }), { instanceOf: EtlError })
  t.regex(secret.message, /ofParams of RangeDaily sets 'token', a secret of SecretDay; .*set it in the config \(tasks\.SecretDay\.token\)/)
  t.notRegex(secret.message, /hunter2/)
})

test('ranges: every registry builds RangeDaily from the command line, with --of resolved through the module', (t) => {
  const registry = TaskRegistry.fromModule({ LoadDay })
  const range = registry.create('RangeDaily', { of: 'LoadDay', ofParams: '{"tag":"cli"}', start: '2024-01-01', stop: '2024-01-03' })
  t.is(String(range), 'RangeDaily(of=LoadDay, ofParams={"tag":"cli"}, start=2024-01-01, stop=2024-01-03)', 'its label shows what is not a default')
  t.deepEqual(registry.families(), ['LoadDay'])
  t.is(day('2024-01-01', 1), '2024-01-02')
})
