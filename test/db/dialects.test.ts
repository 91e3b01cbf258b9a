import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { connectionSchema, type ConnectionConfig } from '../../src/db/connection-config.js'
import { createDatabase } from '../../src/db/create-database.js'
import { DIALECT_NAMES, DIALECTS, dialectDefinition, type DialectName } from '../../src/db/dialects.js'
import { postgresDialect } from '../../src/db/postgres/postgres-dialect.js'
import { sqlFileNames } from '../../src/etl/sql-files.js'
import { tempDir } from '../helpers/sandbox.js'
import { SQL_DIALECTS } from '../helpers/test-sql.js'

/** The least each dialect's connection needs; a new dialect fails to typecheck here until it has one. */
const MINIMAL: Record<DialectName, ConnectionConfig> = {
  postgres: { dialect: 'postgres', database: 'dw' },
  mysql: { dialect: 'mysql', database: 'shop' },
  pglite: { dialect: 'pglite', path: 'memory://' },
  redshift: { dialect: 'redshift', database: 'dev', workgroupName: 'etl' },
}

test('dialects: the registry names postgres, mysql, pglite and redshift, once each', (t) => {
  t.deepEqual(DIALECT_NAMES, ['postgres', 'mysql', 'pglite', 'redshift'])
  t.is(new Set(DIALECT_NAMES).size, DIALECTS.length)
  t.is(dialectDefinition('sqlite'), undefined)
})

for (const definition of DIALECTS) {
  test(`dialects: a ${definition.name} connection parses, and its database writes the registered dialect's SQL`, async (t) => {
    const config = connectionSchema.parse(MINIMAL[definition.name])
    const db = createDatabase('warehouse', config)
    try {
      t.is(db.dialect, definition.dialect)
      t.is(db.sqlFlavours[0], definition.name)
      t.is(db.sqlFlavours.at(-1), definition.dialect.name)
    } finally {
      await db.close()
    }
  })
}

test('dialects: every registered dialect writes one of the SQL dialects whose SQL the tests pin', (t) => {
  const pinned = new Set<unknown>(Object.values(SQL_DIALECTS))
  for (const definition of DIALECTS) t.true(pinned.has(definition.dialect), `${definition.name} writes SQL no test pins; add its dialect to test/helpers/test-sql.ts`)
})

test('dialects: PGlite writes Postgres SQL and reads .pglite.sql, then .postgres.sql files', async (t) => {
  t.is(dialectDefinition('pglite')?.dialect, postgresDialect)
  const pglite = createDatabase('warehouse', MINIMAL.pglite)
  const redshift = createDatabase('warehouse', MINIMAL.redshift)
  t.deepEqual(pglite.sqlFlavours, ['pglite', 'postgres'])
  t.deepEqual(redshift.sqlFlavours, ['redshift'])
  await Promise.all([pglite.close(), redshift.close()])
})

test('dialects: a connection naming no registered dialect is refused with the registered names', (t) => {
  const parsed = connectionSchema.safeParse({ dialect: 'sqlite', path: 'x' })
  t.false(parsed.success)
  t.regex(parsed.error?.issues[0]?.message ?? '', /one of postgres, mysql, pglite, redshift/)
  const error = t.throws(() => createDatabase('w', { dialect: 'sqlite' } as unknown as ConnectionConfig))
  t.is((error as { code?: string }).code, 'ETL_ERR_CONFIG_INVALID')
  t.regex(error.message, /connection "w" has "dialect": "sqlite"; expected one of postgres, mysql, pglite, redshift/)
})

test('dialects: a SQL file variant exists for every registered dialect, and for nothing else', async (t) => {
  const dir = await tempDir('etl-dialects-')
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  for (const name of [...DIALECT_NAMES.map((dialect) => `010_a.${dialect}.sql`), '020_b.sqlite.sql']) await fs.writeFile(path.join(dir, name), 'select 1;\n')
  t.deepEqual(sqlFileNames(dir), ['010_a', '020_b.sqlite'])
})
