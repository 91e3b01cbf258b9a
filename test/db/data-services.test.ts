import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import test from 'ava'
import { resolveConfig } from '../../src/config/load-config.js'
import { DataServices } from '../../src/db/data-services.js'
import { POSTGRES } from '../helpers/databases.js'

test('data-services: with no config there is an embedded source and warehouse under data/ and a lake under lake/', async (t) => {
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-data-'))
  const data = new DataServices({ cwd })
  try {
    t.deepEqual(data.connectionNames, ['source', 'warehouse'])
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
  t.regex(error.message, /unknown connection "warehuose"; known: source, warehouse/)
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
