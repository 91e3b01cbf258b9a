import type { Database, Queryable } from '../../db/database.js'
import { sql, type Sql } from '../../db/sql.js'
import type { SqlDialect } from '../../db/sql-dialect.js'
import type { Scd2Dimension } from './dimensional-model.js'
import { BIGINT, BOOLEAN, DATE, SURROGATE_KEY, column, differs, ensureUnknownRow, matchOn, maxSurrogateKey, sourceColumnsOf, type1UpdateSql, unknownValue, workTableName } from './dimension-table.js'

/** The validity columns of an SCD type 2 dimension: from `start_date` up to (not including) `end_date`. */
export const START_DATE = 'start_date'
export const END_DATE = 'end_date'
export const IS_ACTIVE = 'is_active'
/** The end date of the current version. */
export const OPEN_END = '9999-12-31'

/** Which source rows a merge reads: one sequence's (the rows it staged), or all of them (a rebuild). */
export type Batch = { readonly seq: number } | 'all'

/** What a merge did, for the run's summary. */
export interface Scd2Counts {
  /** New versions, of new keys and of changed ones. */
  readonly inserted: number
  /** Current versions a change closed. */
  readonly closed: number
  /** Keys in the batch that opened no version (no tracked change). */
  readonly unchanged: number
  /** Versions whose type-1 columns (overwritten in every version) changed. */
  readonly updated: number
  /** Source rows dated at or before their key's current version: merged already, or too late to place. */
  readonly skipped: number
}

/**
 * The first build and every periodic merge of an SCD type 2 dimension, from one dictionary entry.
 * The source holds one row per key and effective date (a history); the batch's rows dated after
 * their key's current version are walked in date order with that version, consecutive rows with the
 * same tracked values collapse (a type-1 change alone opens no version), each remaining row becomes
 * a version ending where the next begins, and the current version closes where the first new one
 * begins. The first build is the merge of the whole history into an empty dimension. A merge run
 * twice changes nothing the second time, so a step that failed after committing can run again.
 */
export class Scd2Merge {
  readonly #dim: Scd2Dimension
  readonly #table: string
  readonly #dialect: SqlDialect
  readonly #batch: string
  readonly #changes: string
  readonly #latest: string

  constructor(dim: Scd2Dimension, schema: string, dialect: SqlDialect) {
    this.#dim = dim
    this.#table = `${schema}.${dim.name}`
    this.#dialect = dialect
    this.#batch = workTableName('etl_scd_batch', dim.name)
    this.#changes = workTableName('etl_scd_changes', dim.name)
    this.#latest = workTableName('etl_scd_latest', dim.name)
  }

  /** The dimension table, created from the source's column types if missing, with its unknown member. */
  async ensureTable(db: Database): Promise<void> {
    const dim = this.#dim
    const cols = await sourceColumnsOf(db, dim.source, [...dim.naturalKey, ...dim.type1, ...dim.tracked], `dimension "${dim.name}"`)
    const columns = [
      column(SURROGATE_KEY, BIGINT),
      ...cols.map((col) => ({ ...col, nullable: !dim.naturalKey.includes(col.name) })),
      column(START_DATE, DATE),
      column(END_DATE, DATE),
      column(IS_ACTIVE, BOOLEAN),
    ]
    await db.query(this.#dialect.createTableSql(this.#table, columns, { ifNotExists: true, primaryKey: [SURROGATE_KEY], on: db.description }))
    await db.ensureIndex(this.#table, [...dim.naturalKey, IS_ACTIVE])
    const values: Array<readonly [string, Sql]> = cols.map((col) => [col.name, sql`${unknownValue(col, dim.unknown)}`] as const)
    values.push([START_DATE, sql`cast(${'1900-01-01'} as date)`], [END_DATE, sql`cast(${OPEN_END} as date)`], [IS_ACTIVE, sql`true`])
    await db.transaction((tx) => ensureUnknownRow(tx, this.#table, values))
  }

  /** Merges the batch in one transaction (see the class). */
  async merge(db: Database, batch: Batch): Promise<Scd2Counts> {
    await this.ensureTable(db)
    return db.transaction(async (tx) => {
      const skipped = await this.#count(tx, this.#skippedSql(batch))
      for (const statement of this.#stageSql(batch)) await tx.query(statement)
      const keys = await this.#count(tx, sql`select count(*) as n from ${sql.id(this.#latest)}`)
      const changedKeys = await this.#count(tx, sql`select count(*) as n from (select distinct ${this.#keys('c')} from ${sql.id(this.#changes)} c where is_current = 0) k`)
      const closed = (await tx.query(this.#closeSql())).rowCount
      const inserted = (await tx.query(this.#insertSql(await maxSurrogateKey(tx, this.#table)))).rowCount
      const updated = this.#dim.type1.length ? (await tx.query(this.#type1Sql())).rowCount : 0
      for (const name of [this.#batch, this.#changes, this.#latest]) await tx.query(this.#dialect.dropTemporaryTableSql(name))
      return { inserted, closed, unchanged: keys - changedKeys, updated, skipped }
    })
  }

  /** Every statement of a merge, in order, for pinning and reading (`merge` runs these). */
  statements(batch: Batch, maxKey = 0): Sql[] {
    return [this.#skippedSql(batch), ...this.#stageSql(batch), this.#closeSql(), this.#insertSql(maxKey), ...(this.#dim.type1.length ? [this.#type1Sql()] : [])]
  }

  #keys(alias: string): Sql {
    return sql.join(this.#dim.naturalKey.map((name) => sql.id(alias, name)))
  }

  #where(batch: Batch, alias: string): Sql {
    return batch === 'all' ? sql`1 = 1` : sql`${sql.id(alias, 'exec_seq')} = ${batch.seq}`
  }

  #effective(alias: string): Sql {
    return sql`cast(${sql.id(alias, this.#dim.effectiveFrom)} as date)`
  }

  /** The batch's rows at or before their key's current version. */
  #skippedSql(batch: Batch): Sql {
    const dim = this.#dim
    return sql`select count(*) as n from ${sql.table(dim.source)} s where ${this.#where(batch, 's')} and exists (
      select 1 from ${sql.table(this.#table)} t where t.${sql.id(IS_ACTIVE)} = true and ${matchOn(dim.naturalKey)} and t.${sql.id(START_DATE)} >= ${this.#effective('s')})`
  }

  /**
   * Three work tables: the batch (its new rows, one per key and date, with each touched key's current
   * version), the changes (the rows that open a version, with where the next one starts), and the
   * latest type-1 values per key.
   */
  #stageSql(batch: Batch): Sql[] {
    const dim = this.#dim
    const d = this.#dialect
    const cols = [...dim.naturalKey, ...dim.type1, ...dim.tracked]
    const list = (alias: string) => sql.join(cols.map((name) => sql.id(alias, name)))
    const keys = sql.join(dim.naturalKey.map((name) => sql.id(name)))
    const newRows = sql`select ${list('s')}, ${this.#effective('s')} as eff, 0 as is_current,
        row_number() over (partition by ${this.#keys('s')}, ${this.#effective('s')} order by ${sql.join(dim.tracked.map((name) => sql.id('s', name)))}) as rn
      from ${sql.table(dim.source)} s
      where ${this.#where(batch, 's')} and not exists (
        select 1 from ${sql.table(this.#table)} t where t.${sql.id(IS_ACTIVE)} = true and ${matchOn(dim.naturalKey)} and t.${sql.id(START_DATE)} >= ${this.#effective('s')})`
    const currentRows = sql`select ${list('t')}, t.${sql.id(START_DATE)} as eff, 1 as is_current, 1 as rn
      from ${sql.table(this.#table)} t
      where t.${sql.id(IS_ACTIVE)} = true and t.${sql.id(SURROGATE_KEY)} <> -1 and exists (
        select 1 from ${sql.table(dim.source)} s where ${this.#where(batch, 's')} and ${matchOn(dim.naturalKey)} and ${this.#effective('s')} > t.${sql.id(START_DATE)})`
    const order = sql`partition by ${keys} order by eff, is_current desc`
    const lagged = sql.join(dim.tracked.map((name, i) => sql`lag(${sql.id(name)}) over (${order}) as ${sql.id(`etl_prev_${i}`)}`))
    const opens = sql.join(
      dim.tracked.map((name, i) => differs(sql.id(name), sql.id(`etl_prev_${i}`))),
      ' or ',
    )
    const plain = sql.join(cols.map((name) => sql.id(name)))
    const changes = sql`select ${plain}, eff, is_current, lead(eff) over (partition by ${keys} order by eff) as next_eff from (
        select ${plain}, eff, is_current, ${lagged}, row_number() over (${order}) as etl_pos from ${sql.id(this.#batch)}
      ) b where is_current = 1 or etl_pos = 1 or ${opens}`
    const latest = sql`select ${plain} from (
        select ${plain}, row_number() over (partition by ${keys} order by eff desc) as etl_pos from ${sql.id(this.#batch)} where is_current = 0
      ) l where etl_pos = 1`
    return [
      ...d.createTemporaryTableSql(this.#batch, sql`select * from (${newRows}) n where rn = 1 union all ${currentRows}`),
      ...d.createTemporaryTableSql(this.#changes, changes),
      ...d.createTemporaryTableSql(this.#latest, latest),
    ]
  }

  /** Closes each current version a change follows: it ends where the first new version starts. */
  #closeSql(): Sql {
    const source = sql`(select * from ${sql.id(this.#changes)} where is_current = 1 and next_eff is not null)`
    return this.#dialect.updateFromSql(this.#table, source, sql`${matchOn(this.#dim.naturalKey)} and t.${sql.id(IS_ACTIVE)} = true`, [
      { column: END_DATE, value: sql`s.next_eff` },
      { column: IS_ACTIVE, value: sql`false` },
    ])
  }

  /** Inserts the new versions, numbered after the largest surrogate key in key and date order. */
  #insertSql(maxKey: number): Sql {
    const dim = this.#dim
    const cols = [...dim.naturalKey, ...dim.type1, ...dim.tracked]
    const target = sql.join([SURROGATE_KEY, ...cols, START_DATE, END_DATE, IS_ACTIVE].map((name) => sql.id(name)))
    const order = sql.join([...dim.naturalKey.map((name) => sql.id('c', name)), sql`c.eff`])
    return sql`insert into ${sql.table(this.#table)} (${target})
      select ${maxKey} + row_number() over (order by ${order}), ${sql.join(cols.map((name) => sql.id('c', name)))}, c.eff,
        coalesce(c.next_eff, cast(${OPEN_END} as date)), case when c.next_eff is null then true else false end
      from ${sql.id(this.#changes)} c where c.is_current = 0`
  }

  /** Overwrites the type-1 columns in every version of a key with the batch's latest values. */
  #type1Sql(): Sql {
    return type1UpdateSql(this.#dialect, this.#table, this.#latest, this.#dim.naturalKey, this.#dim.type1)
  }

  async #count(tx: Queryable, statement: Sql): Promise<number> {
    const { rows } = await tx.query(statement)
    return Number(rows[0]?.n ?? 0)
  }
}
