import test from 'ava'
import type { Database } from '../../../src/db/database.js'
import { sql } from '../../../src/db/sql.js'
import { parseDimensionalModel } from '../../../src/etl/dimensional/dimensional-model.js'
import { StarSchema } from '../../../src/etl/dimensional/star-schema.js'
import { SCRATCH_DATABASES } from '../../helpers/databases.js'

function star(ns: string): StarSchema {
  return new StarSchema(
    parseDimensionalModel(
      {
        schema: ns,
        dimensions: [
          { name: 'd_analysts', kind: 'scd2', source: `${ns}.hist`, naturalKey: ['aid'], tracked: ['team'], type1: ['name'], effectiveFrom: 'valid_from' },
          { name: 'd_products', kind: 'hierarchy', source: `${ns}.products`, id: 'id', parent: 'parent_id', label: 'name', levels: ['product_line', 'product_group', 'product'] },
          { name: 'd_priority', kind: 'scd1', source: `${ns}.sla`, naturalKey: ['priority'], type1: ['resolve_hours'] },
          { name: 'd_calendar', kind: 'calendar' },
        ],
        facts: [
          {
            name: 'f_cases',
            source: `${ns}.case_facts`,
            naturalKey: ['case_id'],
            accumulating: true,
            dimensions: [
              { dimension: 'd_analysts', key: 'analyst_id', on: { aid: 'aid' }, asOf: 'created_date' },
              { dimension: 'd_products', key: 'product_id', on: { id: 'product' } },
              { dimension: 'd_priority', key: 'priority_id', on: { priority: 'priority' } },
            ],
            dates: [
              { column: 'created_date', key: 'created_dt_id' },
              { column: 'assigned_date', key: 'assigned_dt_id' },
            ],
            measures: ['aid'],
          },
        ],
      },
      'star.json',
    ),
  )
}

async function exec(db: Database, statements: string[]): Promise<void> {
  for (const statement of statements) await db.query(statement)
}

async function facts(db: Database, ns: string) {
  const { rows } = await db.query(sql`select case_id, analyst_id, aid, product_id, priority_id, created_dt_id, assigned_dt_id from ${sql.id(ns, 'f_cases')} order by case_id`)
  return rows.map((row) => Object.values(row).map((value) => (value === null ? null : Number(value))))
}

async function build(db: Database, s: StarSchema, seq: number) {
  for (const dim of ['d_analysts', 'd_products', 'd_priority', 'd_calendar']) await s.dimension(db, dim, { seq })
  return s.fact(db, 'f_cases', { seq })
}

for (const [dialect, open] of Object.entries(SCRATCH_DATABASES)) {
  test(`${dialect}: a fact resolves each key by natural key, the analyst as of the case's creation, every date to its calendar key, and -1 where a member is unknown; a later load fills the keys in place`, async (t) => {
    const scratch = await open()
    const { db, namespace: ns } = scratch
    const q = (name: string) => db.quoteTable(`${ns}.${name}`)
    try {
      await exec(db, [
        `create table ${q('hist')} (aid integer not null, name varchar(50), team varchar(20), valid_from date not null, exec_seq bigint not null)`,
        `create table ${q('products')} (id integer not null, parent_id integer, name varchar(50), exec_seq bigint not null)`,
        `create table ${q('sla')} (priority varchar(2) not null, resolve_hours integer, exec_seq bigint not null)`,
        `create table ${q('case_facts')} (case_id integer not null, aid integer, product integer, priority varchar(2), created_date timestamp null, assigned_date timestamp null, exec_seq bigint not null)`,
        `insert into ${q('hist')} values (7, 'Ann', 'A', '2024-01-01', 1), (7, 'Ann', 'B', '2024-03-01', 1)`,
        `insert into ${q('products')} values (1, null, 'Line', 1), (2, 1, 'Group', 1), (3, 2, 'Widget', 1), (4, 2, 'Gadget', 1)`,
        `insert into ${q('sla')} values ('P1', 4, 1), ('P2', 24, 1)`,
        `insert into ${q('case_facts')} values
           (100, 7, 3, 'P1', '2024-02-10 10:00:00', '2024-02-10 11:00:00', 1),
           (101, 7, 4, 'P2', '2024-03-05 09:00:00', '2024-03-06 09:00:00', 1),
           (102, null, 99, 'P9', '2024-03-07 09:00:00', null, 1)`,
      ])
      const s = star(ns)
      t.deepEqual(await build(db, s, 1), { inserted: 3, updated: 0, unknown: { analyst_id: 1, product_id: 1, priority_id: 1, created_dt_id: 0, assigned_dt_id: 1 } })
      const { rows: versions } = await db.query(sql`select id, team from ${sql.id(ns, 'd_analysts')} where aid = 7 order by start_date`)
      const [teamA, teamB] = versions.map((row) => Number(row.id))
      t.deepEqual(await facts(db, ns), [
        [100, teamA!, 7, 3, 1, 20240210, 20240210],
        [101, teamB!, 7, 4, 2, 20240305, 20240306],
        [102, -1, null, -1, -1, 20240307, -1],
      ])
      const { rows: calendar } = await db.query(sql`select min(id) as lo, max(id) as hi, count(*) as n from ${sql.id(ns, 'd_calendar')}`)
      t.deepEqual([Number(calendar[0]!.lo), Number(calendar[0]!.hi), Number(calendar[0]!.n)], [-1, 20240307, 28])
      const { rows: products } = await db.query(sql`select id, product_line, product_group, product from ${sql.id(ns, 'd_products')} order by id`)
      t.deepEqual(products.map((row) => [Number(row.id), row.product_line, row.product_group, row.product]), [
        [-1, 'Unknown', 'Unknown', 'Unknown'],
        [3, 'Line', 'Group', 'Widget'],
        [4, 'Line', 'Group', 'Gadget'],
      ])

      await exec(db, [`update ${q('case_facts')} set aid = 7, assigned_date = '2024-03-08 10:00:00', exec_seq = 2 where case_id = 102`])
      t.like(await build(db, s, 2), { inserted: 0, updated: 1, unknown: { analyst_id: 0, assigned_dt_id: 0 } })
      const after = await facts(db, ns)
      t.is(after.length, 3)
      t.deepEqual(after[2], [102, teamB!, 7, -1, -1, 20240307, 20240308])
    } finally {
      await scratch.drop()
    }
  })

  test(`${dialect}: a hierarchy with an orphan or a cycle is refused, naming the rows, and nothing is written`, async (t) => {
    const scratch = await open()
    const { db, namespace: ns } = scratch
    const q = (name: string) => db.quoteTable(`${ns}.${name}`)
    try {
      await exec(db, [
        `create table ${q('products')} (id integer not null, parent_id integer, name varchar(50), exec_seq bigint not null)`,
        `insert into ${q('products')} values (1, null, 'Line', 1), (2, 1, 'Group', 1), (3, 2, 'Widget', 1), (5, 42, 'Lost', 1)`,
      ])
      const s = star(ns)
      const orphan = await t.throwsAsync(s.dimension(db, 'd_products', { seq: 1 }))
      t.regex(orphan!.message, /dimension "d_products": in .*products, row id=5 has no parent row; add the parent rows/)
      t.false(await db.tableExists(`${ns}.d_products`))
      await exec(db, [`update ${q('products')} set parent_id = 6 where id = 5`, `insert into ${q('products')} values (6, 5, 'Loop', 1)`])
      const cycle = await t.throwsAsync(s.dimension(db, 'd_products', { seq: 1 }))
      t.regex(cycle!.message, /2 rows id=5, id=6 is its own ancestor \(a cycle\)/)
    } finally {
      await scratch.drop()
    }
  })
}
