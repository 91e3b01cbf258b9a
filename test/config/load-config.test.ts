import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { EtlError, loadConfig, redactSecrets, resolveConfig } from 'etl'
import { tempDir } from '../helpers/sandbox.js'

test('load-config: with no file the defaults apply', async (t) => {
  const config = await loadConfig({ cwd: await tempDir() })
  t.is(config.file, undefined)
  t.is(config.workers, 1)
  t.is(config.outputDir, 'output')
  t.deepEqual(config.retry, { count: 0, delayMs: 1000, backoff: 2, maxDelayMs: 300_000 })
})

test('load-config: ${ENV} references are replaced, with fallbacks, and the result is frozen', (t) => {
  const config = resolveConfig(
    { tasks: { Extract: { user: '${DB_USER}', schema: '${DB_SCHEMA:-public}' } }, workers: 3 },
    { env: { DB_USER: 'etl' } },
  )
  t.deepEqual(config.tasks.Extract, { user: 'etl', schema: 'public' })
  t.true(Object.isFrozen(config.tasks.Extract))
  t.is(config.workers, 3)
})

test('load-config: the task parameters whose values come from ${ENV} references are recorded, as secrets are found by them', (t) => {
  const config = resolveConfig(
    { tasks: { Extract: { password: '${DB_PASSWORD}', table: 'orders', dsn: 'postgres://etl:${DB_PASSWORD}@db/x', hosts: ['${DB_HOST}'] }, Report: { title: 'sales' } } },
    { env: { DB_PASSWORD: 'hunter2', DB_HOST: 'db' } },
  )
  t.deepEqual(config.tasksFromEnv, { Extract: ['password', 'dsn', 'hosts'] })
  t.is(config.tasks.Extract!.password, 'hunter2')
})

test('load-config: a reference to an unset variable names the key and the variable', (t) => {
  const error = t.throws(() => resolveConfig({ tasks: { Extract: { password: '${DB_PASSWORD}' } } }, { env: {} }), { instanceOf: EtlError })
  t.is(error.code, 'ETL_ERR_CONFIG_ENV_MISSING')
  t.is(error.message, 'etl.config.json "tasks.Extract.password": environment variable DB_PASSWORD is not set; export it, or write ${DB_PASSWORD:-default} to give a fallback')
})

test('load-config: a schedule parameter given as an ${ENV} reference is refused, pointing to tasks.<Family>.<param>, before the variable is read', (t) => {
  const schedules = [{ name: 'nightly', cron: '0 2 * * *', task: 'Extract', params: { table: 'orders', password: '${DB_PASSWORD}' } }]
  const error = t.throws(() => resolveConfig({ schedules }, { env: { DB_PASSWORD: 'hunter2-in-env' } }), { instanceOf: EtlError })
  t.is(error.code, 'ETL_ERR_CONFIG_INVALID')
  t.is(
    error.message,
    'etl.config.json is invalid:\n  "schedules.0.params.password": got an ${ENV} reference; a schedule\'s parameters go on its run\'s command line, where anyone on the machine can read them: remove it here and set "tasks.Extract.password": "${DB_PASSWORD}" instead, which the run reads from the environment itself',
  )
  t.notThrows(() => resolveConfig({ schedules: [{ ...schedules[0], params: { table: 'orders' } }], tasks: { Extract: { password: '${DB_PASSWORD}' } } }, { env: { DB_PASSWORD: 'x' } }))
})

test('load-config: every invalid key is reported at once, and a secret value is never shown', (t) => {
  const error = t.throws(() => resolveConfig({ workers: 0, log: { level: 'loud' }, resources: { db: 'two' } }), { instanceOf: EtlError })
  t.is(error.code, 'ETL_ERR_CONFIG_INVALID')
  t.regex(error.message, /"workers": got 0; expected a whole number of at least 1/)
  t.regex(error.message, /"log\.level": got "loud"; expected one of trace, debug, info, warn, error, fatal, silent/)
  t.regex(error.message, /"resources\.db": got "two"/)
})

test('load-config: a named file that is not JSON is refused with its path', async (t) => {
  const dir = await tempDir()
  await fs.writeFile(path.join(dir, 'bad.json'), '{ workers: 2 ')
  const error = await t.throwsAsync(loadConfig({ cwd: dir, file: 'bad.json' }), { instanceOf: EtlError })
  t.regex(error.message, /config file .*bad\.json is not valid JSON/)
})

test('redact: secret-looking keys are masked at any depth', (t) => {
  t.deepEqual(redactSecrets({ connections: { source: { host: 'db', password: 'hunter2', options: { apiKey: 'k' } } }, token: 't' }), {
    connections: { source: { host: 'db', password: '***', options: { apiKey: '***' } } },
    token: '***',
  })
})

test('load-config: a bad value that holds a password in a URL or a nested secret is shown without it', (t) => {
  const error = t.throws(
    () => resolveConfig({ workers: 'postgres://etl:S3CRET@db/etl', retry: { count: { password: 'hunter2' } } }),
    { instanceOf: EtlError },
  )
  t.notRegex(error.message, /S3CRET|hunter2/)
  t.regex(error.message, /postgres:\/\/etl:\*\*\*@db\/etl/)
})
