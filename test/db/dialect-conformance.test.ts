import { Readable } from 'node:stream'
import test from 'ava'
import type { ColumnDescription } from '../../src/db/column-type.js'
import type { Database } from '../../src/db/database.js'
import { sql } from '../../src/db/sql.js'
import { SCRATCH_DATABASES, type ScratchDatabase } from '../helpers/databases.js'

/** A landing-style table every dialect creates from the same portable description. */
const COLUMNS: ColumnDescription[] = [
  { name: 'id', nativeType: 'bigint', type: { kind: 'integer', bits: 64 }, nullable: false },
  { name: 'name', nativeType: 'varchar(100)', type: { kind: 'string', length: 100 }, nullable: true },
  { name: 'amount', nativeType: 'decimal(30,10)', type: { kind: 'decimal', precision: 30, scale: 10 }, nullable: true },
  { name: 'flag', nativeType: 'boolean', type: { kind: 'boolean' }, nullable: true },
  { name: 'created', nativeType: 'timestamp(6)', type: { kind: 'timestamp', precision: 6, withTimeZone: false }, nullable: true },
  { name: 'day', nativeType: 'date', type: { kind: 'date' }, nullable: true },
]

async function withTable(open: () => Promise<ScratchDatabase>, run: (db: Database) => Promise<void>): Promise<void> {
  const scratch = await open()
  try {
    await scratch.db.query(scratch.db.createTableSql('items', COLUMNS))
    await run(scratch.db)
  } finally {
    await scratch.drop()
  }
}

const csv = (text: string) => Readable.from([text])
const ids = async (db: Database) => (await db.query<{ id: string }>(sql`select id from ${sql.id('items')} order by id`)).rows.map((row) => String(row.id))

for (const [dialect, open] of Object.entries(SCRATCH_DATABASES)) {
  test(`${dialect}: query binds parameters and returns big integers, decimals and timestamps exactly as stored`, async (t) => {
    await withTable(open, async (db) => {
      await db.query(sql`insert into ${sql.id('items')} (id, name, amount, created, day) values (${'9007199254740993'}, ${"O'Brien"}, ${'12345678901234567890.0123456789'}, ${'2024-02-29 23:59:59.123456'}, ${'2024-02-29'})`)
      const { rows, columns } = await db.query(sql`select id, name, amount, created, day from ${sql.id('items')} where name = ${"O'Brien"}`)
      t.deepEqual(columns, ['id', 'name', 'amount', 'created', 'day'])
      t.deepEqual(rows, [{ id: '9007199254740993', name: "O'Brien", amount: '12345678901234567890.0123456789', created: '2024-02-29 23:59:59.123456', day: '2024-02-29' }])
    })
  })

  test(`${dialect}: listTables names the tables of the connection's own namespace, and nothing when it is empty`, async (t) => {
    const scratch = await open()
    try {
      t.deepEqual(await scratch.db.listTables(), [])
      await scratch.db.query(scratch.db.createTableSql('zeta', COLUMNS))
      await scratch.db.query(scratch.db.createTableSql('alpha', COLUMNS))
      t.deepEqual(await scratch.db.listTables(), ['alpha', 'zeta'])
    } finally {
      await scratch.drop()
    }
  })

  test(`${dialect}: bulkLoad streams a CSV and keeps NULL apart from the empty string`, async (t) => {
    await withTable(open, async (db) => {
      const result = await db.bulkLoad('items', csv('id,name,amount,flag\n1,"",0.5,true\n2,,,false\n3,"a,""b""\nc",-1,\n'))
      t.is(result.rows, 3)
      const { rows } = await db.query<{ name: string | null }>(sql`select name from ${sql.id('items')} order by id`)
      t.deepEqual(rows.map((row) => row.name), ['', null, 'a,"b"\nc'])
    })
  })

  test(`${dialect}: bulkLoad loads by header name whatever the table's column order`, async (t) => {
    await withTable(open, async (db) => {
      await db.bulkLoad('items', csv('day,name,id\n2024-01-31,x,7\n'))
      const { rows } = await db.query(sql`select id, name, day from ${sql.id('items')}`)
      t.deepEqual(rows, [{ id: '7', name: 'x', day: '2024-01-31' }])
    })
  })

  test(`${dialect}: a bulkLoad that fails on a bad value loads nothing at all`, async (t) => {
    await withTable(open, async (db) => {
      const error = await t.throwsAsync(db.bulkLoad('items', csv('id,created\n1,2024-01-01 00:00:00\n2,not a time\n')))
      t.is((error as { code?: string }).code, 'ETL_ERR_DB_LOAD_REJECTED')
      t.regex(error.message, /items/)
      t.deepEqual(await ids(db), [])
    })
  })

  test(`${dialect}: bulkLoad into a missing table or with an unknown column fails before writing, naming the table and the fix`, async (t) => {
    await withTable(open, async (db) => {
      const missing = await t.throwsAsync(db.bulkLoad('nope', csv('id\n1\n')))
      t.is((missing as { code?: string }).code, 'ETL_ERR_DB_TABLE_MISSING')
      t.regex(missing.message, /"nope" does not exist on connection "\w+".*create it/)
      const column = await t.throwsAsync(db.bulkLoad('items', csv('id,colour\n1,red\n')))
      t.is((column as { code?: string }).code, 'ETL_ERR_DB_COLUMN_MISSING')
      t.regex(column.message, /"colour" is not a column of "items"/)
      t.deepEqual(await ids(db), [])
    })
  })

  test(`${dialect}: stream yields every row in batches and the connection stays usable after an early stop`, async (t) => {
    await withTable(open, async (db) => {
      const lines = Array.from({ length: 5000 }, (_, i) => `${i},n${i}`)
      await db.bulkLoad('items', csv(`id,name\n${lines.join('\n')}\n`))
      let count = 0
      for await (const row of db.stream<{ id: string }>(sql`select id from ${sql.id('items')} where id >= ${0} order by id`)) {
        t.is(String(row.id), String(count))
        count++
      }
      t.is(count, 5000)
      for await (const _ of db.stream(sql`select id from ${sql.id('items')}`)) break
      t.is((await db.query(sql`select count(*) as n from ${sql.id('items')}`)).rows.length, 1)
      let none = 0
      for await (const _ of db.stream(sql`select id from ${sql.id('items')} where id < ${0}`)) none++
      t.is(none, 0)
    })
  })

  test(`${dialect}: extractCsv writes a header and rows that bulkLoad reads back unchanged`, async (t) => {
    await withTable(open, async (db) => {
      await db.bulkLoad('items', csv('id,name,amount,created\n1,"",1.5000000000,2024-01-01 10:00:00.5\n2,,,\n3,"x\ny,z",-0.0000000001,\n'))
      const chunks: Buffer[] = []
      for await (const chunk of db.extractCsv(sql`select id, name, amount, created from ${sql.id('items')} where id > ${0} order by id`)) chunks.push(chunk as Buffer)
      const text = Buffer.concat(chunks).toString()
      t.true(text.startsWith('id,name,amount,created\n'))
      const before = (await db.query(sql`select id, name, amount, created from ${sql.id('items')} order by id`)).rows
      await db.query(sql`delete from ${sql.id('items')}`)
      await db.bulkLoad('items', csv(text))
      t.deepEqual((await db.query(sql`select id, name, amount, created from ${sql.id('items')} order by id`)).rows, before)
    })
  })

  test(`${dialect}: a transaction commits its statements together and rolls all of them back on an error`, async (t) => {
    await withTable(open, async (db) => {
      await db.transaction(async (tx) => {
        await tx.query(sql`insert into ${sql.id('items')} (id) values (${1})`)
        await tx.bulkLoad('items', csv('id\n2\n'))
      })
      await t.throwsAsync(
        db.transaction(async (tx) => {
          await tx.query(sql`insert into ${sql.id('items')} (id) values (${3})`)
          await tx.bulkLoad('items', csv('id\n4\n'))
          throw new Error('boom')
        }),
        { message: 'boom' },
      )
      t.deepEqual(await ids(db), ['1', '2'])
    })
  })

  test(`${dialect}: identifiers with quotes, spaces and reserved words are quoted safely`, async (t) => {
    await withTable(open, async (db) => {
      const odd: ColumnDescription[] = [{ name: 'select "x" `y`', nativeType: 'text', type: { kind: 'string', length: 20 }, nullable: true }]
      await db.query(db.createTableSql('order table', odd))
      await db.bulkLoad('order table', csv('"select ""x"" `y`"\nhello\n'))
      const { rows } = await db.query(sql`select ${sql.id('select "x" `y`')} as v from ${sql.id('order table')}`)
      t.deepEqual(rows, [{ v: 'hello' }])
      t.true(db.quoteTable('a.b').includes(db.quoteIdentifier('b')))
    })
  })

  test(`${dialect}: describeTable gives each column's native and portable type, and a missing table is a clear error`, async (t) => {
    await withTable(open, async (db) => {
      const described = await db.describeTable('items')
      t.deepEqual(described.columns.map((column) => column.name), COLUMNS.map((column) => column.name))
      t.deepEqual(described.columns.map((column) => column.type.kind), ['integer', 'string', 'decimal', 'boolean', 'timestamp', 'date'])
      t.deepEqual(described.columns[2]?.type, { kind: 'decimal', precision: 30, scale: 10 })
      t.false(described.columns[0]?.nullable)
      t.true(await db.tableExists('items'))
      t.false(await db.tableExists('nope'))
      const error = await t.throwsAsync(db.describeTable('nope'))
      t.is((error as { code?: string }).code, 'ETL_ERR_DB_TABLE_MISSING')
    })
  })

  test(`${dialect}: ensureIndex creates a named index once and leaves it alone after`, async (t) => {
    await withTable(open, async (db) => {
      await db.ensureIndex('items', ['name', 'id'])
      await db.ensureIndex('items', ['name', 'id'])
      const catalog =
        dialect === 'mysql'
          ? sql`select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = ${'items'}`
          : sql`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ${'items'}`
      t.deepEqual((await db.query<{ name: string }>(catalog)).rows.map((row) => row.name), ['items_name_id_idx'])
    })
  })

  test(`${dialect}: a failed statement names the connection and the statement, and a closed database says so`, async (t) => {
    const scratch = await open()
    const error = await t.throwsAsync(scratch.db.query('select * from no_such_table'))
    t.is((error as { code?: string }).code, 'ETL_ERR_DB_TABLE_MISSING')
    t.regex(error.message, new RegExp(`connection "${scratch.db.name}"`))
    t.regex(error.message, /in: select \* from no_such_table/)
    await scratch.drop()
    const closed = await t.throwsAsync(scratch.db.query('select 1'))
    t.is((closed as { code?: string }).code, 'ETL_ERR_DB_CLOSED')
  })
}
