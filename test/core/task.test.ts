import test from 'ava'
import { EtlError, Task, WrapperTask, param, setParameterDefaults } from 'etl'

class Extract extends Task.with({
  table: param.string(),
  date: param.date({ default: '2024-01-31' }),
  batch: param.int({ default: 1000, significant: false }),
}) {}

class NoParams extends Task {}

test('task: the same family and values give the same id, and the id is Family_summary_hash', (t) => {
  const a = new Extract({ table: 'orders' })
  const b = new Extract({ date: '2024-01-31', table: 'orders' })
  t.is(a.id, b.id)
  t.regex(a.id, /^Extract_2024_01_31_orders_[0-9a-f]{10}$/)
  t.regex(new NoParams().id, /^NoParams__[0-9a-f]{10}$/)
})

test('task: different values give different ids, insignificant parameters do not', (t) => {
  const base = new Extract({ table: 'orders' })
  t.not(base.id, new Extract({ table: 'customers' }).id)
  t.not(base.id, new Extract({ table: 'orders', date: '2024-02-01' }).id)
  t.is(base.id, new Extract({ table: 'orders', batch: 5 }).id)
})

test('task: ids match Luigi\'s scheme (md5 of the sorted JSON) and stay stable across releases', (t) => {
  t.is(new Extract({ table: 'orders' }).id, 'Extract_2024_01_31_orders_99c2200cfb')
})

test('task: a missing required parameter names the task, the parameter and three ways to give it', (t) => {
  const error = t.throws(() => new Extract({} as never), { instanceOf: EtlError })
  t.is(error.code, 'ETL_ERR_PARAM_MISSING')
  t.regex(error.message, /task 'Extract' needs parameter 'table'/)
  t.regex(error.message, /--table/)
  t.regex(error.message, /tasks\.Extract\.table/)
})

test('task: an unknown or malformed parameter is refused with the known names or the expected form', (t) => {
  const unknown = t.throws(() => new Extract({ table: 'x', tabel: 'y' } as never), { instanceOf: EtlError })
  t.is(unknown.code, 'ETL_ERR_PARAM_UNKNOWN')
  t.regex(unknown.message, /known: table, date, batch/)
  const invalid = t.throws(() => new Extract({ table: 'x', date: '31.01.2024' }), { instanceOf: EtlError })
  t.is(invalid.code, 'ETL_ERR_PARAM_INVALID')
  t.regex(invalid.message, /"31.01.2024" for parameter 'date' of task 'Extract'.*YYYY-MM-DD/)
})

test.serial('task: config values fill parameters before declared defaults, and are validated', (t) => {
  t.teardown(() => setParameterDefaults({}))
  setParameterDefaults({ Extract: { table: 'from_config', date: '2024-05-01' } })
  const task = new Extract({} as never)
  t.is(task.params.table, 'from_config')
  t.is(task.params.date, '2024-05-01')
  t.is(new Extract({ table: 'given' }).params.table, 'given')
  setParameterDefaults({ Extract: { table: 'x', date: 'soon' } })
  const error = t.throws(() => new Extract({} as never), { instanceOf: EtlError })
  t.regex(error.message, /from etl\.config\.json tasks\.Extract\.date/)
})

test('task: parameter values are frozen', (t) => {
  const task = new Extract({ table: 'orders' })
  t.throws(() => {
    ;(task.params as { table: string }).table = 'other'
  })
})

test('task: declaring a parameter with a reserved name fails at once', (t) => {
  const error = t.throws(() => Task.with({ workers: param.int() }), { instanceOf: EtlError })
  t.is(error.code, 'ETL_ERR_PARAM_DECLARATION')
})

test('task: a wrapper is complete exactly when everything it requires is', async (t) => {
  let done = false
  class Leaf extends Task {
    override async complete() {
      return done
    }
  }
  class Group extends WrapperTask {
    override requires() {
      return { nested: [new Leaf()] }
    }
  }
  t.false(await new Group().complete())
  done = true
  t.true(await new Group().complete())
})

test('task: toString shows the family and every parameter', (t) => {
  t.is(String(new Extract({ table: 'orders' })), 'Extract(table=orders, date=2024-01-31, batch=1000)')
})
