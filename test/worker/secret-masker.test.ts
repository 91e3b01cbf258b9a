import test from 'ava'
import { SECRET_MASK, SecretMasker, Task, createLogger, param } from 'etl'

const M = SECRET_MASK

function masker(...values: string[]): SecretMasker {
  const secrets = new SecretMasker()
  for (const value of values) secrets.add(value)
  return secrets
}

test('secret masker: every occurrence of every secret is masked, a longer one whole even when it holds a shorter one', (t) => {
  const secrets = masker('hunter2', 'hunter2-and-more')
  t.is(secrets.text('a hunter2 b hunter2-and-more c hunter2'), `a ${M} b ${M} c ${M}`)
  t.is(secrets.text('nothing here'), 'nothing here')
})

test('secret masker: an empty secret masks nothing, and a task adds the values of its secret parameters', (t) => {
  class Login extends Task.with({ user: param.string(), token: param.secret() }) {}
  const secrets = masker('')
  t.is(secrets.size, 0)
  secrets.addTask(new Login({ user: 'etl', token: 'tok-123456' }))
  t.is(secrets.size, 1)
  t.is(secrets.text('user etl, token tok-123456'), `user etl, token ${M}`)
})

test('secret masker: values are copied with every string masked, keys, numbers equal to a secret, toJSON and cycles included', (t) => {
  const secrets = masker('s3cret', '4711')
  const shared = { note: 'uses s3cret' }
  const cyclic: Record<string, unknown> = { name: 'loop' }
  cyclic.self = cyclic
  const masked = secrets.value({
    list: ['s3cret', 1, true, null],
    nested: { deep: { dsn: 'postgres://etl:s3cret@db/x' } },
    s3cret: 'as a key',
    pin: 4711,
    rows: 47,
    when: new Date(0),
    json: { toJSON: () => ({ from: 'toJSON with s3cret' }) },
    a: shared,
    b: shared,
    cyclic,
  })
  t.deepEqual(masked, {
    list: [M, 1, true, null],
    nested: { deep: { dsn: `postgres://etl:${M}@db/x` } },
    [M]: 'as a key',
    pin: M,
    rows: 47,
    when: new Date(0),
    json: { from: `toJSON with ${M}` },
    a: { note: `uses ${M}` },
    b: { note: `uses ${M}` },
    cyclic: { name: 'loop', self: '[Circular]' },
  } as never)
})

test('secret masker: an error stays an error, with its message, stack, fields and cause masked', (t) => {
  const secrets = masker('s3cret')
  const error = Object.assign(new Error('login with s3cret failed', { cause: new Error('server saw s3cret') }), { code: 'E_AUTH', detail: 's3cret' })
  const copy = secrets.value(error)
  t.true(copy instanceof Error)
  t.is(copy.message, `login with ${M} failed`)
  t.false(copy.stack!.includes('s3cret'))
  t.is((copy.cause as Error).message, `server saw ${M}`)
  t.like(copy, { code: 'E_AUTH', detail: M })
  t.like(secrets.error({ message: 'no s3cret', stack: 'Error: no s3cret\n    at x' }), { message: `no ${M}`, stack: `Error: no ${M}\n    at x` })
})

test('secret masker: a masked logger writes no secret, through children, fields, errors and format arguments', (t) => {
  const lines: string[] = []
  const secrets = masker('s3cret')
  const log = secrets.logger(createLogger({ level: 'debug', format: 'json', write: (line) => lines.push(line) }))
  const child = log.child({ scope: 'with s3cret' })
  child.info('connecting with %s', 's3cret')
  child.debug({ password: 's3cret', nested: { url: 'x://u:s3cret@h' } }, 'settings')
  child.error({ err: new Error('refused s3cret') }, 'failed')
  child.warn(new Error('bare s3cret'))
  t.is(lines.length, 4)
  for (const line of lines) t.false(line.includes('s3cret'), line)
  t.regex(lines[0]!, /"msg":"connecting with ••••"/)
  t.regex(lines[2]!, /"err":\{.*"message":"refused ••••"/)
})
