import { Readable } from 'node:stream'
import test from 'ava'
import { PgliteDatabase } from '../../src/db/pglite/pglite-database.js'
import { sql } from '../../src/db/sql.js'
import { encodeCsvRecord } from '../../src/csv/csv-value.js'

/** A load cut into many COPY pieces: 64 bytes each, fed in 7-byte stream chunks that split quotes and line breaks. */
async function withDatabase(run: (db: PgliteDatabase) => Promise<void>): Promise<void> {
  const db = new PgliteDatabase('warehouse', { dialect: 'pglite', path: 'memory://', loadChunkBytes: 64 })
  try {
    await db.query('create table items (id bigint not null, note text, created timestamp)')
    await run(db)
  } finally {
    await db.close()
  }
}

function chunked(text: string, size = 7): Readable {
  const bytes = Buffer.from(text)
  return Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, i * size + size)))
}

const notes = ['plain', '', null, 'a,"b"\nc', 'x'.repeat(300), 'Zürich "quoted"\r\nnext', '\\.', '"']

test('pglite: a load cut into many pieces arrives whole, with records longer than a piece and quoted line breaks across pieces', async (t) => {
  await withDatabase(async (db) => {
    const rows = Array.from({ length: 200 }, (_, i) => [i + 1, notes[i % notes.length], `2024-02-29 23:59:${String(i % 60).padStart(2, '0')}.123456`])
    const csv = 'id,note,created\n' + rows.map((row) => encodeCsvRecord(row) + '\n').join('')
    t.deepEqual(await db.bulkLoad('items', chunked(csv)), { rows: 200 })
    const loaded = await db.query(sql`select id, note, created from items order by id`)
    t.deepEqual(
      loaded.rows.map((row) => [Number(row.id), row.note, row.created]),
      rows,
    )
  })
})

test('pglite: a bad value in a later piece rolls back the pieces before it, names the line, and leaves the database usable', async (t) => {
  await withDatabase(async (db) => {
    const good = Array.from({ length: 50 }, (_, i) => `${i + 1},ok,2024-01-01 00:00:00\n`).join('')
    const error = await t.throwsAsync(db.bulkLoad('items', chunked(`id,note,created\n${good}51,bad,not a time\n`)))
    t.is((error as { code?: string }).code, 'ETL_ERR_DB_LOAD_REJECTED')
    t.regex(error.message, /bulk load into "items" was rejected, nothing was loaded: .*not a time/s)
    t.regex(error.message, /at: COPY items, line \d+, column created/)
    t.deepEqual((await db.query('select count(*)::int as n from items')).rows, [{ n: 0 }])
    t.deepEqual(await db.bulkLoad('items', chunked('id,note\n1,again\n')), { rows: 1 })
  })
})
