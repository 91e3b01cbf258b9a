import test from 'ava'
import pg from 'pg'
import { PostgresDatabase } from '../../src/db/postgres/postgres-database.js'
import { sql } from '../../src/db/sql.js'
import { POSTGRES, randomName } from '../helpers/databases.js'

const SESSIONS = 6
const ROUNDS = 10

test('database: sessions racing to create one Postgres schema all succeed, and a refusal that is not a race still fails', async (t) => {
  const sessions = Array.from({ length: SESSIONS }, (_, i) => new PostgresDatabase(`warehouse${i}`, { dialect: 'postgres', ...POSTGRES, poolSize: 1 }))
  const names = Array.from({ length: ROUNDS }, () => randomName('etl_race'))
  t.teardown(async () => {
    await Promise.all(sessions.map((db) => db.close()))
    const admin = new pg.Client(POSTGRES)
    await admin.connect()
    for (const name of names) await admin.query(`drop schema if exists ${name}`)
    await admin.end()
  })
  await Promise.all(sessions.map((db) => db.query(sql`select 1`)))
  for (const name of names) await Promise.all(sessions.map((db) => db.ensureSchema(name)))
  const { rows } = await sessions[0]!.query(sql`select count(*)::int as n from information_schema.schemata where schema_name = any(${names})`)
  t.is(rows[0]!.n, ROUNDS)
  await t.throwsAsync(sessions[0]!.ensureSchema('pg_toast'), { message: /pg_toast/ })
})
