import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import test from 'ava'
import { resolveConfig } from '../../src/config/load-config.js'
import { DataServices } from '../../src/db/data-services.js'
import { POSTGRES, scratchPostgres } from '../helpers/databases.js'

test('data-services: with no config there is an embedded source and warehouse under data/ and a lake under lake/', async (t) => {
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-data-'))
  const data = new DataServices({ cwd })
  try {
    t.deepEqual(data.connectionNames, ['source', 'support_source', 'warehouse'])
    const warehouse = await data.database('warehouse')
    t.is(await data.database('warehouse'), warehouse, 'one connection per name')
    await warehouse.query('create table t (id int)')
    await data.lake().put('landing/t.csv', 'id\n1\n2\n')
    t.deepEqual(await data.loadFromLake(warehouse, 't', 'landing/t.csv'), { rows: 2 })
    await fs.access(path.join(cwd, 'data', 'warehouse'))
    await fs.access(path.join(cwd, 'lake', 'landing', 't.csv'))
  } finally {
    await data.close()
    await fs.rm(cwd, { recursive: true, force: true })
  }
})

test('data-services: an unknown connection name is an error listing the known ones', async (t) => {
  const data = new DataServices({ connections: { source: { dialect: 'pglite', path: 'memory://' } } })
  const error = await t.throwsAsync(data.database('warehuose'))
  t.is((error as { code?: string }).code, 'ETL_ERR_DB_CONNECTION_UNKNOWN')
  t.regex(error.message, /unknown connection "warehuose"; known: source, support_source, warehouse/)
  await data.close()
})

test('data-services: a wrong password is refused before any write, and the password never shows', async (t) => {
  const config = resolveConfig(
    { connections: { warehouse: { dialect: 'mysql', host: '127.0.0.1', user: 'etl_nobody', password: '${DW_PASSWORD}', database: 'test' } } },
    { env: { DW_PASSWORD: 'hunter2-secret' } },
  )
  const data = DataServices.fromConfig(config)
  const error = await t.throwsAsync(data.database('warehouse'))
  t.is((error as { code?: string }).code, 'ETL_ERR_DB_AUTH_FAILED')
  t.regex(error.message, /connection "warehouse" \(mysql etl_nobody@127\.0\.0\.1:3306\/test\) refused the credentials/)
  t.false(error.message.includes('hunter2-secret'))
  t.false(JSON.stringify(error).includes('hunter2-secret'))
  await data.close()
})

test('data-services: an unreachable server is an error naming the connection and the fix', async (t) => {
  const data = new DataServices({ connections: { source: { dialect: 'postgres', host: '127.0.0.1', port: 1, database: 'x', password: 'pw-xyz' } } })
  const error = await t.throwsAsync(data.database('source'))
  t.is((error as { code?: string }).code, 'ETL_ERR_DB_UNREACHABLE')
  t.regex(error.message, /cannot reach connection "source" \(postgres postgres@127\.0\.0\.1:1\/x\).*check that the server is running/)
  t.false(error.message.includes('pw-xyz'))
  await data.close()
})

test('data-services: a configured postgres connection loads a CSV from the lake', async (t) => {
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-data-'))
  const data = new DataServices({ cwd, connections: { warehouse: { dialect: 'postgres', ...POSTGRES } } })
  const table = `etl_ds_${process.pid}`
  try {
    const db = await data.database('warehouse')
    await db.query(`create table ${table} (id int, name text)`)
    await data.lake().put('x.csv', Readable.from(['id,name\n1,""\n2,\n']))
    t.deepEqual(await data.loadFromLake(db, table, 'x.csv'), { rows: 2 })
    t.deepEqual((await db.query(`select name from ${table} order by id`)).rows, [{ name: '' }, { name: null }])
    await db.query(`drop table ${table}`)
  } finally {
    await data.close()
    await fs.rm(cwd, { recursive: true, force: true })
  }
})

test('data-services: a postgres connection\'s settings hold in every session, beside its schema', async (t) => {
  const scratch = await scratchPostgres()
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-data-'))
  const data = new DataServices({
    cwd,
    connections: { warehouse: { dialect: 'postgres', ...POSTGRES, schema: scratch.namespace, settings: { work_mem: '64MB', application_name: 'etl load' } } },
  })
  try {
    const db = await data.database('warehouse')
    const shown = await db.transaction(async (tx) => (await tx.query("select current_setting('work_mem') as w, current_setting('application_name') as a, current_schema() as s")).rows[0])
    t.deepEqual(shown, { w: '64MB', a: 'etl load', s: scratch.namespace })
  } finally {
    await data.close()
    await scratch.drop()
    await fs.rm(cwd, { recursive: true, force: true })
  }
})

test('config: a postgres setting with a name that is not one is refused, naming it', (t) => {
  const error = t.throws(() => resolveConfig({ connections: { warehouse: { dialect: 'postgres', database: 'dw', settings: { 'work_mem; drop': '1MB' } } } }))
  t.regex(error.message, /connections\.warehouse\.settings.*setting name such as work_mem/)
})

test('config: connections and lake are validated with the key, the bad value and what is allowed', (t) => {
  const error = t.throws(() =>
    resolveConfig({ connections: { source: { dialect: 'oracle', database: 'x' }, warehouse: { dialect: 'postgres', database: 'dw', password: 'p', port: 99999 } }, lake: { type: 's3' } }),
  )
  t.regex(error.message, /"connections\.source\.dialect".*expected "dialect": one of postgres, mysql, pglite, redshift/)
  t.regex(error.message, /"connections\.warehouse\.port": got 99999; expected a port number/)
  t.regex(error.message, /"lake\.bucket": got nothing/)
  const ok = resolveConfig({ connections: { source: { dialect: 'mysql', database: 'shop', password: '${PW}' } }, lake: { type: 'local', path: 'lake' } }, { env: { PW: 'x' } })
  t.is(ok.raw.connections?.source?.dialect, 'mysql')
})

/** A warehouse in its own Postgres schema, a lake in a temp folder, and a table `t (id int, name text)`. */
async function throughLakeFixture() {
  const scratch = await scratchPostgres()
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-data-'))
  const data = new DataServices({ cwd, connections: { warehouse: { dialect: 'postgres', ...POSTGRES, schema: scratch.namespace } } })
  const db = await data.database('warehouse')
  await db.query('create table t (id int, name text)')
  const count = async () => Number((await db.query<{ n: string }>('select count(*) as n from t')).rows[0]!.n)
  const cleanup = async () => {
    await data.close()
    await scratch.drop()
    await fs.rm(cwd, { recursive: true, force: true })
  }
  return { data, db, count, cleanup }
}

function* csvLines(rows: number, last = ''): Generator<string> {
  yield 'id,name\n'
  for (let start = 0; start < rows; start += 1000) {
    let text = ''
    for (let id = start; id < Math.min(rows, start + 1000); id++) text += `${id},"name ${id}, with a comma"\n`
    yield text
  }
  if (last) yield last
}

test('data-services: loadThroughLake writes the lake object and loads the same rows in one pass', async (t) => {
  const { data, count, cleanup } = await throughLakeFixture()
  try {
    const result = await data.loadThroughLake(await data.database('warehouse'), 't', 'landing/t.csv', Readable.from(csvLines(20_000)))
    t.is(result.rows, 20_000)
    t.is(await count(), 20_000)
    const stored = await text(await data.lake().get('landing/t.csv'))
    t.is(stored, [...csvLines(20_000)].join(''))
    t.is(result.size, Buffer.byteLength(stored))
  } finally {
    await cleanup()
  }
})

test('data-services: a load the database rejects still leaves the whole lake object, for a rerun to load without extracting again', async (t) => {
  const { data, db, count, cleanup } = await throughLakeFixture()
  try {
    const csv = Readable.from(csvLines(20_000, 'not-a-number,bad\n'))
    const error = await t.throwsAsync(db.transaction((tx) => data.loadThroughLake(tx, 't', 'landing/t.csv', csv)))
    t.is((error as { code?: string }).code, 'ETL_ERR_DB_LOAD_REJECTED')
    t.is(await count(), 0)
    t.is(await text(await data.lake().get('landing/t.csv')), [...csvLines(20_000, 'not-a-number,bad\n')].join(''))
  } finally {
    await cleanup()
  }
})

test('data-services: an extract that fails part way leaves no lake object and rolls the load back', async (t) => {
  const { data, db, count, cleanup } = await throughLakeFixture()
  try {
    async function* broken() {
      let sent = 0
      for (const part of csvLines(20_000)) {
        yield part
        if (++sent === 10) throw new Error('the source connection was lost')
      }
    }
    await t.throwsAsync(db.transaction((tx) => data.loadThroughLake(tx, 't', 'landing/t.csv', Readable.from(broken()))), { message: /the source connection was lost/ })
    t.is(await count(), 0)
    t.false(await data.lake().exists('landing/t.csv'))
  } finally {
    await cleanup()
  }
})

test('data-services: loadThroughLake into a table that does not exist fails before anything reaches the lake', async (t) => {
  const { data, cleanup } = await throughLakeFixture()
  try {
    const error = await t.throwsAsync(data.loadThroughLake(await data.database('warehouse'), 'no_such_table', 'landing/t.csv', Readable.from(csvLines(20_000))))
    t.is((error as { code?: string }).code, 'ETL_ERR_DB_TABLE_MISSING')
    t.false(await data.lake().exists('landing/t.csv'))
    t.deepEqual(await data.lake().list('landing/'), [])
  } finally {
    await cleanup()
  }
})
