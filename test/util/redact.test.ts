import { performance } from 'node:perf_hooks'
import test from 'ava'
import fc from 'fast-check'
import { isSecretKey, redactParams, redactSecrets, redactText, safeUrl } from 'etl'

/**
 * Pieces that make the old patterns backtrack, and the new ones work hardest: URL punctuation, secret
 * words, separators, quotes and escapes, in any order and any number.
 */
const HOSTILE_PIECES = ['a', 'x.', '://', ':', '@', '/', '=', ' ', '"', "'", '\\', '\\"', 'password', 'token', 'pass', 'Bearer ', '{', ',', '\n', 'é', 'postgres']

/** Generous on a loaded 2-core machine: masking does about 5 ms per 100 kB there, the old patterns seconds. */
const MS_PER_100_KB = 100

/** `pieces` repeated until the text is at least `chars` long. */
function repeatTo(pieces: readonly string[], chars: number): string {
  const unit = pieces.join('') || 'a'
  return unit.repeat(Math.ceil(chars / unit.length))
}

/**
 * The best of three runs: a garbage collection, or the compiler's first look at a new kind of string,
 * can cost one run tens of milliseconds on a busy machine; a pattern that backtracks is slow every time.
 */
function timed(text: string): number {
  let best = Infinity
  for (let run = 0; run < 3; run++) {
    const started = performance.now()
    redactText(text)
    best = Math.min(best, performance.now() - started)
  }
  return best
}

test('redact: masking a megabyte of adversarial text takes milliseconds, not seconds', (t) => {
  // The shapes that took the old patterns seconds: a scheme with no @, a quote never closed, one long word.
  for (const text of [repeatTo(['a://', 'a'.repeat(50)], 1e6), repeatTo(['"', 'x'.repeat(200)], 1e6), 'a'.repeat(1e6), repeatTo(['"password": "'], 1e6)]) {
    const ms = timed(text)
    t.true(ms < 10 * MS_PER_100_KB, `${text.slice(0, 20)}…: ${ms.toFixed(0)} ms for a megabyte`)
  }
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...HOSTILE_PIECES), { minLength: 1, maxLength: 40 }), (pieces) => {
      const text = repeatTo(pieces, 100_000)
      const ms = timed(text)
      return ms < MS_PER_100_KB
    }),
    { numRuns: 150 },
  )
})

test('redact: a secret planted in any text is masked, whatever surrounds it', (t) => {
  const secret = fc.stringMatching(/^[A-Za-z0-9]{16,24}$/)
  const around = fc.string({ unit: fc.constantFrom('a', ' ', '.', '\n', ',', '-', '(', ')', 'x', 'é'), maxLength: 200 })
  const shapes = [
    (s: string) => `password=${s}`,
    (s: string) => `PGPASSWORD=${s} psql`,
    (s: string) => `postgres://etl:${s}@db.internal:5432/dw`,
    (s: string) => `mysql://root:p@${s}@db/x`,
    (s: string) => `{"db_password": "${s}", "host": "db"}`,
    (s: string) => `{\\"apiKey\\":\\"${s}\\"}`,
    (s: string) => `{'client_secret': '${s}'}`,
    (s: string) => `Authorization: Bearer ${s}`,
    (s: string) => `authorization: Basic ${s}`,
    (s: string) => `GET /x?access_token=${s}&page=2`,
    (s: string) => `Uid=sa;Pwd=${s};Server=db`,
    (s: string) => `token: ${s}`,
  ]
  fc.assert(
    fc.property(secret, around, around, fc.constantFrom(...shapes.keys()), (value, before, after, shape) => {
      const text = `${before} ${shapes[shape]!(value)} ${after}`
      const shown = redactText(text)
      return !shown.includes(value) && shown.includes('***')
    }),
    { numRuns: 500 },
  )
  t.pass()
})

test('redact: text without secrets is left exactly as it was, and masking twice changes nothing more', (t) => {
  const plain = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '.', '\n', ':', '=', '/', '"', '1', 'passed', 'passes', 'author', 'é'), maxLength: 300 })
  fc.assert(fc.property(plain, (text) => redactText(text) === text))
  fc.assert(fc.property(fc.array(fc.constantFrom(...HOSTILE_PIECES), { maxLength: 60 }), (pieces) => {
    const once = redactText(pieces.join(''))
    return redactText(once) === once
  }))
  t.is(redactText('tests passed: 3, passes: 4, author: bob'), 'tests passed: 3, passes: 4, author: bob')
})

test('redact: the usual shapes keep what is not secret', (t) => {
  t.is(redactText('connect postgres://etl:hunter2@db/x failed'), 'connect postgres://etl:***@db/x failed')
  t.is(redactText('postgres://u:p@ss@host/db'), 'postgres://u:***@host/db')
  t.is(redactText('Error: password=hunter2\n    at x'), 'Error: password=***\n    at x')
  t.is(redactText('{"db_password": "x\\"y", "host": "h"}'), '{"db_password": "***", "host": "h"}')
  t.is(redactText('{\\"token\\":\\"abc\\",\\"n\\":1}'), '{\\"token\\":\\"***\\",\\"n\\":1}')
  t.is(redactText('Authorization: Bearer abcdefghijklmnopqrstuvwxyz'), 'Authorization: Bearer ***')
  t.is(redactText('sent Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc to x'), 'sent Bearer *** to x')
  t.is(redactText('the bearer of bad news'), 'the bearer of bad news')
  t.is(redactText('https://x/?access_token=abc&x=1'), 'https://x/?access_token=***&x=1')
})

test('redact: one notion of a secret name for config keys, parameters, JSON fields and URL queries', (t) => {
  for (const name of ['password', 'dbPassword', 'PGPASSWORD', 'client_secret', 'apiKey', 'api_key', 'api-key', 'access_key', 'aws_session_token', 'credentials', 'private_key', 'Authorization']) {
    t.true(isSecretKey(name), name)
  }
  for (const name of ['label', 'date', 'passes', 'author', 'host', 'table']) t.false(isSecretKey(name), name)
  t.deepEqual(redactParams({ password: 'hunter2', url: 'postgres://etl:hunter2@db/x', label: 'a' }), { password: '***', url: 'postgres://etl:***@db/x', label: 'a' })
  t.deepEqual(redactSecrets({ rows: 3, nested: { token: 't', note: 'password=x' }, list: ['mysql://a:b@c/d'] }), { rows: 3, nested: { token: '***', note: 'password=***' }, list: ['mysql://a:***@c/d'] })
  t.is(safeUrl('http://sched.example/?token=abc&api_key=def&team=data'), 'http://sched.example/?token=***&api_key=***&team=data')
  t.is(safeUrl('not a url //user:pw@host'), 'not a url //***@host')
})
