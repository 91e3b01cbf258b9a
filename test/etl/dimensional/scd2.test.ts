import test from 'ava'
import type { Database } from '../../../src/db/database.js'
import { sql } from '../../../src/db/sql.js'
import { parseDimensionalModel, type Scd2Dimension } from '../../../src/etl/dimensional/dimensional-model.js'
import { Scd2Merge } from '../../../src/etl/dimensional/scd2.js'
import { SCRATCH_DATABASES } from '../../helpers/databases.js'

type Version = { id: string; aid: number; name: string; team: string; skills: string; start_date: string; end_date: string; is_active: boolean }

function dimension(ns: string): Scd2Dimension {
  const model = parseDimensionalModel(
    {
      schema: ns,
      dimensions: [{ name: 'd_analysts', kind: 'scd2', source: `${ns}.hist`, naturalKey: ['aid'], tracked: ['team', 'skills'], type1: ['name'], effectiveFrom: 'valid_from' }],
    },
    'test.json',
  )
  return model.dimensions[0] as Scd2Dimension
}

async function stage(db: Database, ns: string, seq: number, rows: Array<[number, string, string, string, string]>): Promise<void> {
  for (const [aid, name, team, skills, from] of rows) {
    await db.query(sql`insert into ${sql.id(ns, 'hist')} (aid, name, team, skills, valid_from, exec_seq) values (${aid}, ${name}, ${team}, ${skills}, ${from}, ${seq})`)
  }
}

async function versions(db: Database, ns: string): Promise<Version[]> {
  const { rows } = await db.query<Version>(sql`select id, aid, name, team, skills, start_date, end_date, is_active from ${sql.id(ns, 'd_analysts')} order by aid, start_date`)
  return rows.map((row) => ({ ...row, id: String(row.id), aid: Number(row.aid), is_active: Boolean(Number(row.is_active) || row.is_active === true) }))
}

/** One active version per key, and versions that tile time with no gap or overlap up to the open end. */
function assertTiles(t: { is: (a: unknown, b: unknown, m?: string) => void }, rows: Version[]): void {
  const byKey = new Map<number, Version[]>()
  for (const row of rows) if (row.aid !== -1) byKey.set(row.aid, [...(byKey.get(row.aid) ?? []), row])
  for (const [aid, list] of byKey) {
    t.is(list.filter((row) => row.is_active).length, 1, `one active version of ${aid}`)
    for (let i = 1; i < list.length; i++) t.is(list[i]!.start_date, list[i - 1]!.end_date, `analyst ${aid}'s versions meet`)
    t.is(list.at(-1)!.end_date, '9999-12-31')
    t.is(list.at(-1)!.is_active, true)
  }
}

for (const [dialect, open] of Object.entries(SCRATCH_DATABASES)) {
  test(`${dialect}: an SCD2 dimension is built from the whole history, then merged: a tracked change opens a version, a name change alone does not, and a second merge of the same batch changes nothing`, async (t) => {
    const scratch = await open()
    const { db, namespace: ns } = scratch
    try {
      await db.query(sql`create table ${sql.id(ns, 'hist')} (aid integer not null, name varchar(100), team varchar(50), skills varchar(200), valid_from date not null, exec_seq bigint not null)`)
      const merge = new Scd2Merge(dimension(ns), ns, db.dialect)
      await stage(db, ns, 1, [
        [1, 'Ann', 'A', 'x', '2021-01-01'],
        [1, 'Ann', 'B', 'x', '2021-06-01'],
        [1, 'Annie', 'B', 'x', '2022-01-01'],
        [1, 'Annie', 'B', 'x,y', '2023-01-01'],
        [2, 'Bob', 'A', 'z', '2021-01-01'],
      ])
      t.like(await merge.merge(db, { seq: 1 }), { inserted: 4, closed: 0, skipped: 0 })
      let rows = await versions(db, ns)
      t.deepEqual(
        rows.filter((row) => row.aid === 1).map((row) => [row.team, row.skills, row.start_date, row.end_date, row.name]),
        [
          ['A', 'x', '2021-01-01', '2021-06-01', 'Annie'],
          ['B', 'x', '2021-06-01', '2023-01-01', 'Annie'],
          ['B', 'x,y', '2023-01-01', '9999-12-31', 'Annie'],
        ],
      )
      t.deepEqual(rows.find((row) => row.aid === -1)?.id, '-1')
      assertTiles(t, rows)

      await stage(db, ns, 2, [
        [1, 'Annie', 'C', 'x,y', '2024-01-01'],
        [2, 'Robert', 'A', 'z', '2024-02-01'],
        [3, 'Cy', 'A', 'q', '2024-03-01'],
      ])
      t.like(await merge.merge(db, { seq: 2 }), { inserted: 2, closed: 1, unchanged: 1, updated: 1, skipped: 0 })
      rows = await versions(db, ns)
      assertTiles(t, rows)
      t.deepEqual(rows.filter((row) => row.aid === 2).map((row) => [row.name, row.start_date]), [['Robert', '2021-01-01']])
      t.is(rows.filter((row) => row.aid === 1).length, 4)
      t.is(new Set(rows.map((row) => row.id)).size, rows.length)

      t.like(await merge.merge(db, { seq: 2 }), { inserted: 0, closed: 0, updated: 0, unchanged: 1, skipped: 2 })
      t.deepEqual(await versions(db, ns), rows)
    } finally {
      await scratch.drop()
    }
  })
}
