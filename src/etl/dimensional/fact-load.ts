import type { ColumnDescription } from '../../db/column-type.js'
import type { Database, Queryable } from '../../db/database.js'
import { sql, type Sql } from '../../db/sql.js'
import type { SqlDialect } from '../../db/sql-dialect.js'
import type { Dimension, DimensionalModel, Fact } from './dimensional-model.js'
import { CALENDAR_COLUMNS, type DayRange } from './calendar.js'
import { BIGINT, INT, SURROGATE_KEY, UNKNOWN_KEY, column, matchOn, sourceColumnsOf, workTableName } from './dimension-table.js'
import { END_DATE, IS_ACTIVE, START_DATE, type Batch } from './scd2.js'

const DAY_MS = 86_400_000

/** What a fact load did: rows new and updated, and how many rows each key could not resolve. */
export interface FactCounts {
  readonly inserted: number
  readonly updated: number
  /** Rows of the batch whose key for a dimension (or a date) is -1, by key column. */
  readonly unknown: Readonly<Record<string, number>>
}

/**
 * Loads a fact table from its staging source: each dimension reference resolved by natural key
 * (for an SCD type 2 dimension, the version valid at the `asOf` date, else the current one), each
 * date also as its calendar key, and -1 wherever a member is unknown or missing, never NULL, so BI
 * queries need no outer joins. An accumulating-snapshot fact (milestones filled in by later loads)
 * updates the rows of keys it has already; any other fact only adds keys it has not.
 */
export class FactLoad {
  readonly #fact: Fact
  readonly #model: DimensionalModel
  readonly #table: string
  readonly #dialect: SqlDialect
  readonly #stage: string

  constructor(fact: Fact, model: DimensionalModel, dialect: SqlDialect) {
    this.#fact = fact
    this.#model = model
    this.#table = `${model.schema}.${fact.name}`
    this.#dialect = dialect
    this.#stage = workTableName('etl_fact', fact.name)
  }

  /** The fact table's columns: natural key, dimension keys, each date's key beside it, then the measures. */
  async columns(db: Database): Promise<ColumnDescription[]> {
    const fact = this.#fact
    const [keys, measures] = [fact.naturalKey, fact.measures]
    const described = await sourceColumnsOf(db, fact.source, [...keys, ...fact.dates.map((date) => date.column), ...measures], `fact "${fact.name}"`)
    const of = (name: string) => described.find((col) => col.name === name)!
    return [
      ...keys.map((name) => ({ ...of(name), nullable: false })),
      ...fact.dimensions.map((ref) => column(ref.key, BIGINT)),
      ...fact.dates.flatMap((date) => [column(date.key, INT), { ...of(date.column), nullable: true }]),
      ...measures.map((name) => ({ ...of(name), nullable: true })),
    ]
  }

  async ensureTable(db: Database): Promise<ColumnDescription[]> {
    const columns = await this.columns(db)
    await db.query(this.#dialect.createTableSql(this.#table, columns, { ifNotExists: true, primaryKey: this.#fact.naturalKey, on: db.description }))
    return columns
  }

  async load(db: Database, batch: Batch): Promise<FactCounts> {
    // A table made in the load's own transaction is filled before its key is built (see #firstLoad);
    // where DDL commits on its own, the table is made first, so a failed load leaves it empty.
    const created = db.capabilities.transactionalDdl && !(await db.tableExists(this.#table))
    const columns = created ? await this.columns(db) : await this.ensureTable(db)
    const calendar = await this.#calendarRange(db)
    const fact = this.#fact
    return db.transaction(async (tx) => {
      const names = columns.map((col) => col.name)
      if (created) {
        await tx.query(this.#dialect.createTableSql(this.#table, columns, { on: db.description }))
        const counts = await this.#firstLoad(tx, names, this.rowsSql(batch, calendar))
        await tx.query(this.#dialect.addPrimaryKeySql(this.#table, fact.naturalKey))
        return counts
      }
      if (await isEmpty(tx, this.#table)) return this.#firstLoad(tx, names, this.rowsSql(batch, calendar))
      for (const statement of this.#dialect.createTemporaryTableSql(this.#stage, this.rowsSql(batch, calendar))) await tx.query(statement)
      const existing = await count(tx, sql`select count(*) as n from ${sql.id(this.#stage)} s where exists (select 1 from ${sql.table(this.#table)} t where ${matchOn(fact.naturalKey)})`)
      const total = await count(tx, sql`select count(*) as n from ${sql.id(this.#stage)}`)
      const unknown = await this.#unknownCounts(tx, sql`${sql.id(this.#stage)}`)
      const rows = sql`select ${sql.join(names.map((name) => sql.id('s', name)))} from ${sql.id(this.#stage)} s`
      if (fact.accumulating) {
        for (const statement of this.#dialect.upsertSql({ target: this.#table, columns: names, key: fact.naturalKey, rows })) await tx.query(statement)
      } else {
        await tx.query(sql`insert into ${sql.table(this.#table)} (${sql.join(names.map((name) => sql.id(name)))}) ${rows} where not exists (select 1 from ${sql.table(this.#table)} t where ${matchOn(fact.naturalKey)})`)
      }
      await tx.query(this.#dialect.dropTemporaryTableSql(this.#stage))
      return { inserted: total - existing, updated: fact.accumulating ? existing : 0, unknown }
    })
  }

  /**
   * Into an empty fact table (a first load, a rebuild) every row is new: they go straight in, with no
   * staging copy to find which exist, and are counted where they landed. A table `load` has just
   * made gets its primary key after this, which on Postgres takes a million rows in half the time.
   */
  async #firstLoad(tx: Queryable, names: readonly string[], rows: Sql): Promise<FactCounts> {
    await tx.query(sql`insert into ${sql.table(this.#table)} (${sql.join(names.map((name) => sql.id(name)))}) ${rows}`)
    const inserted = await count(tx, sql`select count(*) as n from ${sql.table(this.#table)}`)
    return { inserted, updated: 0, unknown: await this.#unknownCounts(tx, sql`${sql.table(this.#table)}`) }
  }

  /** The batch's rows with every key resolved (see the class). */
  rowsSql(batch: Batch, calendar: DayRange | undefined): Sql {
    const fact = this.#fact
    const joins: Sql[] = []
    const keys = fact.dimensions.map((ref, i) => {
      const dim = this.#dimension(ref.dimension)
      const alias = `d${i + 1}`
      const on = sql.join(
        Object.entries(ref.on).map(([dimColumn, factColumn]) => sql`${sql.id(alias, dimColumn)} = ${sql.id('s', factColumn)}`),
        ' and ',
      )
      const version =
        dim.kind !== 'scd2'
          ? sql``
          : ref.asOf
            ? sql` and ${sql.id('s', ref.asOf)} >= ${sql.id(alias, START_DATE)} and ${sql.id('s', ref.asOf)} < ${sql.id(alias, END_DATE)}`
            : sql` and ${sql.id(alias, IS_ACTIVE)} = true`
      joins.push(sql` left join ${sql.table(`${this.#model.schema}.${dim.name}`)} ${sql.id(alias)} on ${on}${version} and ${sql.id(alias, SURROGATE_KEY)} <> ${UNKNOWN_KEY}`)
      return sql`coalesce(${sql.id(alias, SURROGATE_KEY)}, ${UNKNOWN_KEY}) as ${sql.id(ref.key)}`
    })
    const dates = fact.dates.flatMap((date) => [sql`${dateKeySql(this.#dialect, sql`${sql.id('s', date.column)}`, calendar)} as ${sql.id(date.key)}`, sql`${sql.id('s', date.column)}`])
    const plain = (names: readonly string[]) => names.map((name) => sql`${sql.id('s', name)}`)
    const where = batch === 'all' ? sql`1 = 1` : sql`${sql.id('s', 'exec_seq')} = ${batch.seq}`
    return sql`select ${sql.join([...plain(fact.naturalKey), ...keys, ...dates, ...plain(fact.measures)])} from ${sql.table(fact.source)} s${sql.join(joins, '')} where ${where}`
  }

  #dimension(name: string): Exclude<Dimension, { kind: 'calendar' }> {
    return this.#model.dimensions.find((dim) => dim.name === name) as Exclude<Dimension, { kind: 'calendar' }>
  }

  /** The days the calendar holds, so a date outside it gets -1 rather than a key with no row. */
  async #calendarRange(db: Database): Promise<DayRange | undefined> {
    const calendar = this.#model.dimensions.find((dim) => dim.kind === 'calendar')
    if (!calendar || !this.#fact.dates.length) return undefined
    const dateColumn = CALENDAR_COLUMNS[1]!.name
    const { rows } = await db.query(sql`select min(${sql.id(dateColumn)}) as lo, max(${sql.id(dateColumn)}) as hi from ${sql.table(`${this.#model.schema}.${calendar.name}`)} where ${sql.id(SURROGATE_KEY)} <> ${UNKNOWN_KEY}`)
    const lo = rows[0]?.lo
    const hi = rows[0]?.hi
    return lo && hi ? { from: String(lo).slice(0, 10), to: String(hi).slice(0, 10) } : undefined
  }

  async #unknownCounts(tx: Queryable, rows: Sql): Promise<Record<string, number>> {
    const keys = [...this.#fact.dimensions.map((ref) => ref.key), ...this.#fact.dates.map((date) => date.key)]
    if (!keys.length) return {}
    const sums = sql.join(keys.map((key, i) => sql`sum(case when ${sql.id(key)} = ${UNKNOWN_KEY} then 1 else 0 end) as ${sql.id(`k${i}`)}`))
    const found = (await tx.query(sql`select ${sums} from ${rows}`)).rows[0]
    return Object.fromEntries(keys.map((key, i) => [key, Number(found?.[`k${i}`] ?? 0)]))
  }
}

/**
 * A date's calendar key, YYYYMMDD, computed rather than looked up (no join per date column), and -1
 * for NULL or a day outside the calendar.
 */
export function dateKeySql(dialect: SqlDialect, value: Sql, calendar: DayRange | undefined): Sql {
  if (!calendar) return sql`${UNKNOWN_KEY}`
  const after = new Date(Date.parse(`${calendar.to}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10)
  const key = dialect.dateKeySql(value)
  return sql`case when ${value} >= cast(${calendar.from} as date) and ${value} < cast(${after} as date) then ${key} else ${UNKNOWN_KEY} end`
}

/** The smallest and largest day among the facts' date columns (the calendar's range), or undefined with no dates. */
export async function factDateRange(db: Database, model: DimensionalModel): Promise<DayRange | undefined> {
  const days: string[] = []
  for (const fact of model.facts) {
    if (!fact.dates.length || !(await db.tableExists(fact.source))) continue
    const bounds = sql.join(fact.dates.flatMap((date, i) => [sql`min(${sql.id(date.column)}) as ${sql.id(`lo${i}`)}`, sql`max(${sql.id(date.column)}) as ${sql.id(`hi${i}`)}`]))
    const { rows } = await db.query(sql`select ${bounds} from ${sql.table(fact.source)}`)
    for (const value of Object.values(rows[0] ?? {})) if (value !== null && value !== undefined) days.push(String(value).slice(0, 10))
  }
  days.sort()
  return days.length ? { from: days[0]!, to: days.at(-1)! } : undefined
}

async function count(tx: Queryable, statement: Sql): Promise<number> {
  const { rows } = await tx.query(statement)
  return Number(rows[0]?.n ?? 0)
}

async function isEmpty(tx: Queryable, table: string): Promise<boolean> {
  return (await tx.query(sql`select 1 as found from ${sql.table(table)} limit 1`)).rows.length === 0
}
