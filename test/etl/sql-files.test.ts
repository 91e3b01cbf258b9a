import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { readSqlFiles, sqlFileNames } from '../../src/etl/sql-files.js'
import { tempDir } from '../helpers/sandbox.js'

async function sqlFolder(t: { teardown(fn: () => Promise<void>): void }, names: string[]): Promise<string> {
  const dir = await tempDir('etl-sql-')
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  for (const name of names) await fs.writeFile(path.join(dir, name), `select '${name}';\n`)
  return dir
}

const chosen = async (dir: string, flavours?: string[]) => (await readSqlFiles(dir, flavours)).map((file) => `${file.name}=${path.basename(file.file)}`)

test('sql files: a dialect variant replaces the plain file for that dialect, and other dialects’ variants are left out', async (t) => {
  const dir = await sqlFolder(t, ['010_a.sql', '010_a.redshift.sql', '020_b.sql', '030_c.postgres.sql', '030_c.sql', '040_d.mysql.sql'])
  t.deepEqual(await chosen(dir, ['redshift']), ['010_a=010_a.redshift.sql', '020_b=020_b.sql', '030_c=030_c.sql'])
  t.deepEqual(await chosen(dir, ['pglite', 'postgres']), ['010_a=010_a.sql', '020_b=020_b.sql', '030_c=030_c.postgres.sql'])
  t.deepEqual(await chosen(dir), ['010_a=010_a.sql', '020_b=020_b.sql', '030_c=030_c.sql'])
  t.deepEqual(await chosen(dir, ['mysql']), ['010_a=010_a.sql', '020_b=020_b.sql', '030_c=030_c.sql', '040_d=040_d.mysql.sql'])
})

test('sql files: a dotted name that is not a dialect is an ordinary file', async (t) => {
  const dir = await sqlFolder(t, ['010_v1.2.sql'])
  t.deepEqual(await chosen(dir, ['redshift']), ['010_v1.2=010_v1.2.sql'])
})

test('sql files: the names a folder gives files for are known without reading them, one per file and its variants', async (t) => {
  const dir = await sqlFolder(t, ['020_b.sql', '010_a.sql', '010_a.redshift.sql', '030_c.postgres.sql', 'notes.txt'])
  t.deepEqual(sqlFileNames(dir), ['010_a', '020_b', '030_c'])
  t.deepEqual(sqlFileNames(path.join(dir, 'missing')), [])
})
