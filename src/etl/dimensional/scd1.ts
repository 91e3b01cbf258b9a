import type { Database } from '../../db/database.js'
import { sql, type Sql } from '../../db/sql.js'
import type { SqlDialect } from '../../db/sql-dialect.js'
import type { Scd1Dimension } from './dimensional-model.js'
import { BIGINT, SURROGATE_KEY, column, ensureUnknownRow, matchOn, maxSurrogateKey, sourceColumnsOf, type1UpdateSql, unknownValue, workTableName } from './dimension-table.js'
import type { Batch } from './scd2.js'

/** What an SCD type 1 merge did. */
export interface Scd1Counts {
  readonly inserted: number
  readonly updated: number
  readonly unchanged: number
}

/**
 * An SCD type 1 dimension (a static lookup such as the SLA per priority is one): one row per natural
 * key with a stable surrogate key, its other columns overwritten in place when the source changes.
 * New keys are numbered after the largest surrogate key; nothing is ever deleted, so facts that
 * point at a member keep pointing at it.
 */
export class Scd1Merge {
  readonly #dim: Scd1Dimension
  readonly #table: string
  readonly #dialect: SqlDialect
  readonly #latest: string

  constructor(dim: Scd1Dimension, schema: string, dialect: SqlDialect) {
    this.#dim = dim
    this.#table = `${schema}.${dim.name}`
    this.#dialect = dialect
    this.#latest = workTableName('etl_scd1_latest', dim.name)
  }

  async ensureTable(db: Database): Promise<void> {
    const dim = this.#dim
    const cols = await sourceColumnsOf(db, dim.source, [...dim.naturalKey, ...dim.type1], `dimension "${dim.name}"`)
    const columns = [column(SURROGATE_KEY, BIGINT), ...cols.map((col) => ({ ...col, nullable: !dim.naturalKey.includes(col.name) }))]
    await db.query(this.#dialect.createTableSql(this.#table, columns, { ifNotExists: true, primaryKey: [SURROGATE_KEY], on: db.description }))
    await db.ensureIndex(this.#table, dim.naturalKey)
    await db.transaction((tx) => ensureUnknownRow(tx, this.#table, cols.map((col) => [col.name, sql`${unknownValue(col, dim.unknown)}`] as const)))
  }

  async merge(db: Database, batch: Batch): Promise<Scd1Counts> {
    await this.ensureTable(db)
    return db.transaction(async (tx) => {
      for (const statement of this.#dialect.createTemporaryTableSql(this.#latest, this.#latestSql(batch))) await tx.query(statement)
      const { rows } = await tx.query(sql`select count(*) as n from ${sql.id(this.#latest)}`)
      const updated = (await tx.query(type1UpdateSql(this.#dialect, this.#table, this.#latest, this.#dim.naturalKey, this.#dim.type1))).rowCount
      const inserted = (await tx.query(this.#insertSql(await maxSurrogateKey(tx, this.#table)))).rowCount
      await tx.query(this.#dialect.dropTemporaryTableSql(this.#latest))
      return { inserted, updated, unchanged: Number(rows[0]?.n ?? 0) - inserted - updated }
    })
  }

  /** Every statement of a merge, in order, for pinning and reading (`merge` runs these). */
  statements(batch: Batch, maxKey = 0): Sql[] {
    return [
      ...this.#dialect.createTemporaryTableSql(this.#latest, this.#latestSql(batch)),
      type1UpdateSql(this.#dialect, this.#table, this.#latest, this.#dim.naturalKey, this.#dim.type1),
      this.#insertSql(maxKey),
      this.#dialect.dropTemporaryTableSql(this.#latest),
    ]
  }

  /** The batch, one row per key. */
  #latestSql(batch: Batch): Sql {
    const dim = this.#dim
    const cols = sql.join([...dim.naturalKey, ...dim.type1].map((name) => sql.id(name)))
    const keys = sql.join(dim.naturalKey.map((name) => sql.id(name)))
    const where = batch === 'all' ? sql`1 = 1` : sql`${sql.id('exec_seq')} = ${batch.seq}`
    return sql`select ${cols} from (select ${cols}, row_number() over (partition by ${keys} order by ${keys}) as etl_pos from ${sql.table(dim.source)} where ${where}) l where etl_pos = 1`
  }



  #insertSql(maxKey: number): Sql {
    const dim = this.#dim
    const cols = [...dim.naturalKey, ...dim.type1]
    const order = sql.join(dim.naturalKey.map((name) => sql.id('s', name)))
    return sql`insert into ${sql.table(this.#table)} (${sql.join([SURROGATE_KEY, ...cols].map((name) => sql.id(name)))})
      select ${maxKey} + row_number() over (order by ${order}), ${sql.join(cols.map((name) => sql.id('s', name)))}
      from ${sql.id(this.#latest)} s where not exists (select 1 from ${sql.table(this.#table)} t where ${matchOn(dim.naturalKey)})`
  }
}
