import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { PGlite } from '@electric-sql/pglite'
import { PgliteDatabase } from '../../src/db/pglite/pglite-database.js'
import { templateRoot } from '../../src/db/pglite/pglite-template.js'
import { tempDir } from '../helpers/sandbox.js'

const embedded = (dir: string) => new PgliteDatabase('warehouse', { dialect: 'pglite', path: dir })

test('pglite-template: new embedded databases start from the machine’s empty cluster and share nothing with it or each other', async (t) => {
  const root = await tempDir('etl-template-')
  t.teardown(() => fs.rm(root, { recursive: true, force: true }))
  const first = embedded(path.join(root, 'a'))
  await first.query('create table only_in_a (id int)')
  await first.close()
  const second = embedded(path.join(root, 'b'))
  t.false(await second.tableExists('only_in_a'))
  await second.query('create table only_in_b (id int)')
  await second.close()

  const [template] = (await fs.readdir(templateRoot())).filter((name) => name.startsWith('pglite-') && !name.endsWith('.tmp'))
  t.truthy(template, 'a template was kept')
  const copy = path.join(root, 'template-copy')
  await fs.cp(path.join(templateRoot(), template!), copy, { recursive: true })
  const pristine = await PGlite.create(copy)
  const { rows } = await pristine.query<{ n: number }>(`select count(*)::int as n from pg_tables where schemaname = 'public'`)
  await pristine.close()
  t.is(rows[0]!.n, 0, 'the template holds no user tables')
})

test('pglite-template: an empty folder made beforehand becomes the database, and an existing one is opened as it is', async (t) => {
  const root = await tempDir('etl-template-')
  t.teardown(() => fs.rm(root, { recursive: true, force: true }))
  const dir = path.join(root, 'made-by-hand')
  await fs.mkdir(dir)
  const db = embedded(dir)
  await db.query('create table kept (id int)')
  await db.query('insert into kept values (1)')
  await db.close()
  const again = embedded(dir)
  t.deepEqual((await again.query('select id from kept')).rows, [{ id: 1 }])
  await again.close()
})
