import test from 'ava'
import { EtlError, SECRET_MASK, Task, TaskRegistry, isSecretParameter, param, setParameterDefaults, withoutMaskedSecrets } from 'etl'

class Login extends Task.with({ user: param.string(), token: param.secret({ description: 'the API token' }) }) {}

/** The README's pattern: a plain string named like a secret, whose value the config takes from `${ENV}`. */
class Extract extends Task.with({ table: param.string(), password: param.string() }) {}

class Counted extends Task.with({ tokenCount: param.int(), passwordHint: param.string({ secret: false }) }) {}

class Pin extends Task.with({ pin: param.int({ secret: true }) }) {}

const hunter = 'hunter2-Secret-Value'

test('secret parameters: a declared secret is not part of the id, so two tasks differing only in it are one task', (t) => {
  const a = new Login({ user: 'etl', token: hunter })
  const b = new Login({ user: 'etl', token: 'another-one' })
  t.is(a.id, b.id)
  t.false(a.id.includes('hunter'))
  t.is(a.id, new Login({ user: 'etl', token: 'x' }).id)
  t.not(a.id, new Login({ user: 'other', token: hunter }).id, 'the other parameters still make the id')
})

test('secret parameters: a declared secret shows as the mask, serializes as the mask, and is kept for the worker to mask', (t) => {
  const task = new Login({ user: 'etl', token: hunter })
  t.is(task.params.token, hunter, 'the task itself has the value')
  t.is(String(task), `Login(user=etl, token=${SECRET_MASK})`)
  t.deepEqual(
    task.parameterEntries.map(({ name, text, secret }) => ({ name, text, secret })),
    [
      { name: 'user', text: 'etl', secret: false },
      { name: 'token', text: SECRET_MASK, secret: true },
    ],
  )
  t.deepEqual(task.secretValues, [hunter])
  t.is(Login.params.token.serialize(hunter), SECRET_MASK)
  t.is(Login.params.token.typeName, 'secret')
  t.false(Login.params.token.significant)
})

test('secret parameters: a secret given a value of another type is refused without quoting it', (t) => {
  const error = t.throws(() => new Login({ user: 'etl', token: 20240131 as never }), { instanceOf: EtlError })
  t.is(error.code, 'ETL_ERR_PARAM_INVALID')
  t.false(error.message.includes('20240131'), error.message)
  t.regex(error.message, /invalid value \(hidden: it is a secret\) for parameter 'token' of task 'Login' \(as given\): expected a string \(a secret\)/)
})

test('secret parameters: a secret of another type is secret too, and a bad value of it is never quoted', (t) => {
  t.is(new Pin({ pin: 4711 }).id, new Pin({ pin: 1234 }).id)
  t.deepEqual(new Pin({ pin: 4711 }).secretValues, ['4711'])
  const registry = new TaskRegistry()
  registry.add(Pin as never)
  const error = t.throws(() => registry.create('Pin', { pin: '47x11' }), { instanceOf: EtlError })
  t.false(error.message.includes('47x11'), error.message)
  t.regex(error.message, /invalid value \(hidden: it is a secret\) for --pin of task 'Pin': expected an integer/)
})

test.serial('secret parameters: a string named like a secret is one when its config value comes from ${ENV}, for every way the task is built', (t) => {
  t.teardown(() => setParameterDefaults({}))
  setParameterDefaults({ Extract: { password: hunter } }, 'etl.config.json', { Extract: ['password'] })
  const fromConfig = new Extract({ table: 'orders' } as never)
  t.is(fromConfig.params.password, hunter)
  t.is(String(fromConfig), `Extract(table=orders, password=${SECRET_MASK})`)
  t.deepEqual(fromConfig.secretValues, [hunter])
  t.is(fromConfig.id, new Extract({ table: 'orders', password: 'given-in-code' }).id, 'the same task, however its secret was given')
  t.false(fromConfig.id.includes('hunter'))

  setParameterDefaults({ Extract: { password: hunter } }, 'etl.config.json')
  t.false(isSecretParameter('Extract', 'password', Extract.params.password), 'a value written in the file itself is left as it is')
  t.not(new Extract({ table: 'orders' } as never).id, new Extract({ table: 'orders', password: 'other' }).id)
})

test.serial('secret parameters: the config rule takes only text named like a secret, and secret: false opts out', (t) => {
  t.teardown(() => setParameterDefaults({}))
  setParameterDefaults({ Counted: { tokenCount: 3, passwordHint: 'the usual' } }, 'etl.config.json', { Counted: ['tokenCount', 'passwordHint'] })
  t.false(isSecretParameter('Counted', 'tokenCount', Counted.params.tokenCount), 'a number named like a secret is not one')
  t.false(isSecretParameter('Counted', 'passwordHint', Counted.params.passwordHint), 'secret: false keeps it an ordinary parameter')
  t.is(String(new Counted({} as never)), 'Counted(tokenCount=3, passwordHint=the usual)')
})

test('secret parameters: parameters read back from a marker or the scheduler drop the masked ones, to resolve them again', (t) => {
  t.deepEqual(withoutMaskedSecrets({ user: 'etl', token: SECRET_MASK }), { user: 'etl' })
})
