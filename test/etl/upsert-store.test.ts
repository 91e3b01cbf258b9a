import { Readable } from 'node:stream'
import test from 'ava'
import pg from 'pg'
import mysql from 'mysql2/promise'
import type { Database } from '../../src/db/database.js'
import { sql } from '../../src/db/sql.js'
import { createSchemaSql, landingTableSql } from '../../src/etl/generators/table-sql.js'
import { parseMetadata, qualified, type TableMetadata } from '../../src/etl/table-metadata.js'
import { upsertLandingToStore } from '../../src/etl/upsert-store.js'
import { MARIADB, POSTGRES, SCRATCH_DATABASES, randomName } from '../helpers/databases.js'
import { ORDER_LINES_COLUMNS } from './order-lines-columns.js'

const DESCRIBED = ORDER_LINES_COLUMNS

/** A dictionary whose landing and store live in schemas (MySQL: databases) of this test alone. */
function orderLines(prefix: string): TableMetadata {
  const [meta] = parseMetadata(
    {
      tables: [
        {
          table: 'order_lines',
          columns: DESCRIBED.map((column) => column.name),
          mode: 'incremental',
          watermark: 'updated_datetime',
          landing: `${prefix}_landing.order_lines`,
          store: `${prefix}_store.order_lines`,
          key: ['order_no', 'order_line_no'],
        },
      ],
    },
    'metadata/test.json',
  )
  return meta!
}

/** Drops the landing and store schemas (databases on MySQL) the test made on a server. */
async function dropSchemas(dialect: string, prefix: string): Promise<void> {
  const schemas = [`${prefix}_landing`, `${prefix}_store`]
  if (dialect === 'mysql') {
    const admin = await mysql.createConnection(MARIADB)
    for (const schema of schemas) await admin.query(`drop database if exists ${schema}`)
    await admin.end()
  } else if (dialect === 'postgres') {
    const admin = new pg.Client(POSTGRES)
    await admin.connect()
    for (const schema of schemas) await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  }
}

async function land(db: Database, meta: TableMetadata, rows: readonly string[]): Promise<void> {
  await db.bulkLoad(qualified(meta.landing), Readable.from([`order_no,order_line_no,quantity,updated_datetime,is_deleted,exec_seq\n${rows.join('\n')}\n`]))
}

/** The store's rows in one spelling whatever the dialect: MySQL's 1/0 and Postgres' booleans alike. */
async function store(db: Database, meta: TableMetadata): Promise<string[]> {
  const { rows } = await db.query(sql`select order_no, order_line_no, quantity, updated_datetime, is_deleted, exec_seq from ${sql.id(meta.store.schema, meta.store.name)} order by order_no, order_line_no`)
  const flag = (value: unknown) => (value === true || value === 1 || value === '1' ? 'deleted' : 'live')
  return rows.map((row) => `${row.order_no}/${row.order_line_no} qty=${row.quantity} at=${String(row.updated_datetime).slice(0, 19)} ${flag(row.is_deleted)} seq=${row.exec_seq}`)
}

for (const [dialect, open] of Object.entries(SCRATCH_DATABASES)) {
  test(`upsert store: on ${dialect}, the landing batch upserts its newest row per key and keeps soft-deleted rows flagged`, async (t) => {
    const scratch = await open('warehouse')
    const prefix = randomName('etl_up')
    t.teardown(async () => {
      await scratch.drop()
      await dropSchemas(dialect, prefix)
    })
    const db = scratch.db
    const meta = orderLines(prefix)
    await db.query(createSchemaSql(meta.landing.schema))
    await db.query(landingTableSql(db.dialect, meta, DESCRIBED))

    // Sequence 1: line 1/1 arrives three times (the newest, 12:00, wins); 2/1 arrives already deleted.
    await land(db, meta, [
      '1,1,5,2024-01-01 10:00:00,false,1',
      '1,1,7,2024-01-01 12:00:00,false,1',
      '1,1,6,2024-01-01 11:00:00,false,1',
      '1,2,3,2024-01-01 09:00:00,false,1',
      '2,1,4,2024-01-02 08:00:00,true,1',
    ])
    const counted: number[] = []
    t.deepEqual(await upsertLandingToStore(db, meta, 1, async (_tx, keys) => void counted.push(keys)), { rows: 3 })
    t.deepEqual(await store(db, meta), [
      '1/1 qty=7 at=2024-01-01 12:00:00 live seq=1',
      '1/2 qty=3 at=2024-01-01 09:00:00 live seq=1',
      '2/1 qty=4 at=2024-01-02 08:00:00 deleted seq=1',
    ])

    // Sequence 2: 1/2 is soft-deleted (an older copy in the same batch loses), 2/1 comes back, 3/1 is new;
    // 1/1 is not in the batch and stays as it was.
    await land(db, meta, [
      '1,2,3,2024-01-03 00:00:00,true,2',
      '1,2,9,2024-01-02 00:00:00,false,2',
      '2,1,8,2024-01-03 00:00:00,false,2',
      '3,1,1,2024-01-03 00:00:00,false,2',
    ])
    const expected = [
      '1/1 qty=7 at=2024-01-01 12:00:00 live seq=1',
      '1/2 qty=3 at=2024-01-03 00:00:00 deleted seq=2',
      '2/1 qty=8 at=2024-01-03 00:00:00 live seq=2',
      '3/1 qty=1 at=2024-01-03 00:00:00 live seq=2',
    ]
    t.deepEqual(await upsertLandingToStore(db, meta, 2, async (_tx, keys) => void counted.push(keys)), { rows: 3 })
    t.deepEqual(await store(db, meta), expected)
    // A rerun of the same sequence changes nothing and duplicates nothing.
    t.deepEqual(await upsertLandingToStore(db, meta, 2), { rows: 3 })
    t.deepEqual(await store(db, meta), expected)
    t.deepEqual(counted, [3, 3])
  })
}

/** The order lines dictionary with fields of its own (hard deletes), its store under another name. */
function withFields(prefix: string, store: string, fields: Record<string, unknown>): TableMetadata {
  const base = orderLines(prefix)
  const [meta] = parseMetadata(
    { tables: [{ table: base.table, columns: [...base.columns], watermark: 'updated_datetime', landing: qualified(base.landing), store: `${prefix}_store.${store}`, key: [...base.key], ...fields }] },
    'metadata/test.json',
  )
  return meta!
}

for (const [dialect, open] of Object.entries(SCRATCH_DATABASES)) {
  test(`upsert store: on ${dialect}, a reconciliation flags the keys gone (once, whatever the reruns) and clears them when they return, or deletes them; a lookback's overlap is counted`, async (t) => {
    const scratch = await open('warehouse')
    const prefix = randomName('etl_hd')
    t.teardown(async () => {
      await scratch.drop()
      await dropSchemas(dialect, prefix)
    })
    const db = scratch.db
    const flag = withFields(prefix, 'lines_flagged', { mode: 'full', hardDeletes: 'flag' })
    const remove = withFields(prefix, 'lines_deleted', { mode: 'full', hardDeletes: 'delete' })
    const late = withFields(prefix, 'lines_late', { lookback: '1 hour' })
    await db.query(createSchemaSql(flag.landing.schema))
    await db.query(landingTableSql(db.dialect, flag, DESCRIBED))
    const both = async (seq: number) => [
      await upsertLandingToStore(db, flag, seq, undefined, { reconcileWith: flag.landing }),
      await upsertLandingToStore(db, remove, seq, undefined, { reconcileWith: remove.landing }),
    ]
    const flags = async () =>
      (await db.query(sql`select order_no, order_line_no, etl_deleted_at_seq from ${sql.id(flag.store.schema, flag.store.name)} order by order_no, order_line_no`)).rows.map(
        (row) => `${row.order_no}/${row.order_line_no}:${row.etl_deleted_at_seq ?? '-'}`,
      )
    const kept = async () => (await db.query(sql`select count(*) as n from ${sql.id(remove.store.schema, remove.store.name)}`)).rows.map((row) => Number(row.n))[0]

    await land(db, flag, ['1,1,5,2024-01-01 10:00:00,false,1', '1,2,3,2024-01-01 11:00:00,false,1', '2,1,4,2024-01-01 12:00:00,false,1'])
    t.deepEqual(await both(1), [{ rows: 3, flagged: 0 }, { rows: 3, deleted: 0 }])

    // Sequence 2's extract lacks 1/2: flagged with 2 in one store, gone from the other; a rerun changes no count.
    await land(db, flag, ['1,1,5,2024-01-01 10:00:00,false,2', '2,1,4,2024-01-01 12:00:00,false,2'])
    t.deepEqual(await both(2), [{ rows: 2, flagged: 1 }, { rows: 2, deleted: 1 }])
    t.deepEqual(await both(2), [{ rows: 2, flagged: 1 }, { rows: 2, deleted: 0 }])
    t.deepEqual(await flags(), ['1/1:-', '1/2:2', '2/1:-'])
    t.is(await kept(), 2)
    t.deepEqual(await upsertLandingToStore(db, late, 2), { rows: 2 })

    // Sequence 3: 1/2 is back (cleared, or inserted again); a lookback to 12:00 re-read 2/1 unchanged and 1/2, which store lacked.
    await land(db, flag, ['1,1,5,2024-01-01 10:00:00,false,3', '1,2,3,2024-01-01 11:00:00,false,3', '2,1,4,2024-01-01 12:00:00,false,3', '3,1,1,2024-01-01 13:00:00,false,3'])
    t.deepEqual(await upsertLandingToStore(db, late, 3, undefined, { overlapThrough: '2024-01-01 12:00:00' }), { rows: 4, reread: 3, changed: 1 })
    t.deepEqual(await upsertLandingToStore(db, remove, 3, undefined, { reconcileWith: remove.landing }), { rows: 4, deleted: 0 })
    t.deepEqual(await upsertLandingToStore(db, flag, 3, undefined, { reconcileWith: flag.landing }), { rows: 4, flagged: 0 })
    t.deepEqual(await flags(), ['1/1:-', '1/2:-', '2/1:-', '3/1:-'])
    t.is(await kept(), 4)
  })
}
