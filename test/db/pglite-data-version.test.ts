import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import test from 'ava'
import { PGlite } from '@electric-sql/pglite'
import { DataServices } from '../../src/db/data-services.js'

/** A closed embedded `source` holding one table, made once: creating a PGlite folder takes seconds. */
let template: Promise<string> | undefined

function makeTemplate(): Promise<string> {
  template ??= (async () => {
    const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-version-template-'))
    const data = new DataServices({ cwd })
    const db = await data.database('source')
    await db.query('create table t (id int)')
    await db.query('insert into t select generate_series(1, 1000)')
    await data.close()
    return cwd
  })()
  return template
}

test.after.always(async () => {
  if (template) await fs.rm(await template, { recursive: true, force: true })
})

/** A project folder of its own holding a copy of the template source. */
async function embeddedSource(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-version-'))
  t.teardown(() => fs.rm(cwd, { recursive: true, force: true }))
  await fs.cp(await makeTemplate(), cwd, { recursive: true })
  return cwd
}

async function session(cwd: string, work: (data: DataServices) => Promise<void>): Promise<string | undefined> {
  const data = new DataServices({ cwd })
  await work(data)
  await data.close()
  return new DataServices({ cwd }).dataVersion('source')
}

test('pglite: a session that only reads keeps the data version, even when it is the first to read new rows', async (t) => {
  const cwd = await embeddedSource(t)
  const before = await new DataServices({ cwd }).dataVersion('source')
  t.truthy(before)
  const after = await session(cwd, async (data) => {
    const db = await data.database('source')
    await db.query('select count(*) from t')
    for await (const row of db.stream('select * from t')) t.log(row)
  })
  t.is(after, before)
})

test('pglite: a session that writes gives the embedded database a new data version', async (t) => {
  const cwd = await embeddedSource(t)
  const before = await new DataServices({ cwd }).dataVersion('source')
  const after = await session(cwd, async (data) => {
    await (await data.database('source')).query('insert into t values (1)')
  })
  t.truthy(after)
  t.not(after, before)
})

test('pglite: while a session has written, the data version is unknown rather than stale', async (t) => {
  const cwd = await embeddedSource(t)
  const data = new DataServices({ cwd })
  const db = await data.database('source')
  const opened = await data.dataVersion('source')
  t.truthy(opened)
  await db.query('insert into t values (1)')
  t.is(await data.dataVersion('source'), undefined)
  await data.close()
})

test('pglite: a folder opened by something other than etl has no data version until etl closes it again', async (t) => {
  const cwd = await embeddedSource(t)
  const folder = path.join(cwd, 'data', 'source')
  const outside = await PGlite.create(folder)
  await outside.query('insert into t values (2)')
  await outside.close()
  t.is(await new DataServices({ cwd }).dataVersion('source'), undefined)
  t.truthy(await session(cwd, async (data) => void (await data.database('source'))))
})

test('pglite: asking for the data version never opens or creates the database', async (t) => {
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-version-'))
  t.teardown(() => fs.rm(cwd, { recursive: true, force: true }))
  const data = new DataServices({ cwd })
  t.is(await data.dataVersion('source'), undefined)
  await data.close()
  await t.throwsAsync(fs.access(path.join(cwd, 'data')))
})

test('data-services: a server has no data version, so callers always look', async (t) => {
  const data = new DataServices({ connections: { source: { dialect: 'postgres', host: '127.0.0.1', database: 'test' } } })
  t.is(await data.dataVersion('source'), undefined)
  await data.close()
})

test('pglite: the version a session will close with is known before it closes, written or not', async (t) => {
  const cwd = await embeddedSource(t)
  const data = new DataServices({ cwd })
  const db = await data.database('source')
  const unchanged = await data.dataVersionOnClose('source')
  t.is(unchanged, await data.dataVersion('source'), 'nothing written: the version it opened with')
  await db.query('insert into t values (3)')
  const written = await data.dataVersionOnClose('source')
  t.not(written, unchanged)
  await data.close()
  t.is(await new DataServices({ cwd }).dataVersion('source'), written)
})
