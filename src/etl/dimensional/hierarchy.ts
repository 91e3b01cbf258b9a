import type { Database, Queryable } from '../../db/database.js'
import { sql, type Sql } from '../../db/sql.js'
import type { SqlDialect } from '../../db/sql-dialect.js'
import { EtlError } from '../../errors.js'
import type { HierarchyDimension } from './dimensional-model.js'
import { SURROGATE_KEY, UNKNOWN_KEY, column, differs, ensureUnknownRow, sourceColumnsOf, workTableName } from './dimension-table.js'

/** Rows named in a hierarchy error before the rest are only counted. */
const ROWS_SHOWN = 10

/** What a flattening did. */
export interface HierarchyCounts {
  /** Leaves: one row each in the dimension. */
  readonly leaves: number
  /** Leaves new to the dimension, leaves whose path changed, and rows no longer in the source. */
  readonly inserted: number
  readonly updated: number
  readonly deleted: number
}

/**
 * A parent-child table (lines → groups → products) flattened to one row per leaf with one column
 * per level, top first, its key the leaf's own id (so facts that carry the source's id resolve
 * without a lookup). The hierarchy is checked first: a row whose parent does not exist, a cycle, or
 * a leaf at another depth than the levels say is an error naming the rows, and nothing is written.
 * Rebuilt in one transaction each time: a hierarchy is small, and a reader never sees half of one.
 */
export class HierarchyFlattening {
  readonly #dim: HierarchyDimension
  readonly #table: string
  readonly #dialect: SqlDialect
  readonly #stage: string

  constructor(dim: HierarchyDimension, schema: string, dialect: SqlDialect) {
    this.#dim = dim
    this.#table = `${schema}.${dim.name}`
    this.#dialect = dialect
    this.#stage = workTableName('etl_hierarchy', dim.name)
  }

  async ensureTable(db: Database): Promise<void> {
    const dim = this.#dim
    const [id, label] = await sourceColumnsOf(db, dim.source, [dim.id, dim.label], `dimension "${dim.name}"`)
    const columns = [column(SURROGATE_KEY, id!.type), ...dim.levels.map((level) => ({ ...label!, name: level, nullable: true }))]
    await db.query(this.#dialect.createTableSql(this.#table, columns, { ifNotExists: true, primaryKey: [SURROGATE_KEY], on: db.description }))
  }

  async build(db: Database): Promise<HierarchyCounts> {
    await this.check(db)
    await this.ensureTable(db)
    const dim = this.#dim
    const table = sql.table(this.#table)
    const stage = sql.id(this.#stage)
    const columns = [SURROGATE_KEY, ...dim.levels]
    const list = sql.join(columns.map((name) => sql.id(name)))
    const changed = sql.join(
      dim.levels.map((level) => differs(sql.id('t', level), sql.id('s', level))),
      ' or ',
    )
    const count = async (tx: Queryable, statement: Sql) => Number((await tx.query(statement)).rows[0]?.n ?? 0)
    return db.transaction(async (tx) => {
      for (const statement of this.#dialect.createTemporaryTableSql(this.#stage, this.flattenSql())) await tx.query(statement)
      const leaves = await count(tx, sql`select count(*) as n from ${stage}`)
      const inserted = await count(tx, sql`select count(*) as n from ${stage} s where not exists (select 1 from ${table} t where t.${sql.id(SURROGATE_KEY)} = s.${sql.id(SURROGATE_KEY)})`)
      const updated = await count(tx, sql`select count(*) as n from ${stage} s join ${table} t on t.${sql.id(SURROGATE_KEY)} = s.${sql.id(SURROGATE_KEY)} where ${changed}`)
      const deleted = await count(
        tx,
        sql`select count(*) as n from ${table} t where t.${sql.id(SURROGATE_KEY)} <> ${UNKNOWN_KEY} and not exists (select 1 from ${stage} s where s.${sql.id(SURROGATE_KEY)} = t.${sql.id(SURROGATE_KEY)})`,
      )
      await tx.query(sql`delete from ${table} where ${sql.id(SURROGATE_KEY)} <> ${UNKNOWN_KEY}`)
      await tx.query(sql`insert into ${table} (${list}) select ${list} from ${stage}`)
      await ensureUnknownRow(tx, this.#table, dim.levels.map((level) => [level, sql`${dim.unknown}`] as const))
      await tx.query(this.#dialect.dropTemporaryTableSql(this.#stage))
      return { leaves, inserted, updated, deleted }
    })
  }

  /** One row per leaf at the full depth, the leaf joined up through its ancestors, top level first. */
  flattenSql(): Sql {
    const dim = this.#dim
    const depth = dim.levels.length
    const alias = (level: number) => `l${level}`
    let from = sql`${sql.table(dim.source)} ${sql.id(alias(depth))}`
    for (let level = depth - 1; level >= 1; level--) {
      from = sql`${from} join ${sql.table(dim.source)} ${sql.id(alias(level))} on ${sql.id(alias(level + 1), dim.parent)} = ${sql.id(alias(level), dim.id)}`
    }
    const labels = dim.levels.map((level, i) => sql`${sql.id(alias(i + 1), dim.label)} as ${sql.id(level)}`)
    const leaf = alias(depth)
    return sql`select ${sql.id(leaf, dim.id)} as ${sql.id(SURROGATE_KEY)}, ${sql.join(labels)} from ${from}
      where ${sql.id(alias(1), dim.parent)} is null
        and not exists (select 1 from ${sql.table(dim.source)} c where ${sql.id('c', dim.parent)} = ${sql.id(leaf, dim.id)})`
  }

  /** Orphans, cycles and leaves at the wrong depth, found in one pass over (id, parent). */
  async check(db: Database): Promise<void> {
    const dim = this.#dim
    const parents = new Map<string, string | null>()
    for await (const row of db.stream(sql`select ${sql.id(dim.id)} as id, ${sql.id(dim.parent)} as parent from ${sql.table(dim.source)}`)) {
      parents.set(String(row.id), row.parent === null || row.parent === undefined ? null : String(row.parent))
    }
    const problems = hierarchyProblems(parents, dim.levels.length)
    if (problems.orphans.length) throw this.#error('has no parent row', problems.orphans, `add the parent rows, or set ${dim.parent} to NULL for a top-level row`)
    if (problems.cycles.length) throw this.#error('is its own ancestor (a cycle)', problems.cycles, `break the cycle in ${dim.parent}`)
    if (problems.wrongDepth.length) {
      throw this.#error(`is a leaf at another depth than the ${dim.levels.length} levels (${dim.levels.join(', ')})`, problems.wrongDepth, 'give it children or parents until it sits at the last level, or change "levels"')
    }
  }

  #error(what: string, ids: readonly string[], fix: string): EtlError {
    const dim = this.#dim
    const shown = ids.slice(0, ROWS_SHOWN).map((id) => `${dim.id}=${id}`).join(', ')
    const more = ids.length > ROWS_SHOWN ? ` and ${ids.length - ROWS_SHOWN} more` : ''
    return new EtlError('ETL_ERR_DIMENSION_HIERARCHY_INVALID', `dimension "${dim.name}": in ${dim.source}, ${ids.length === 1 ? 'row' : `${ids.length} rows`} ${shown}${more} ${what}; ${fix}`)
  }
}

/** The rows of a parent map that break a hierarchy of `depth` levels, each list in id order. */
export function hierarchyProblems(parents: ReadonlyMap<string, string | null>, depth: number): { orphans: string[]; cycles: string[]; wrongDepth: string[] } {
  const orphans: string[] = []
  const cycles: string[] = []
  const wrongDepth: string[] = []
  const hasChildren = new Set<string>()
  for (const [id, parent] of parents) {
    if (parent === null) continue
    if (!parents.has(parent)) orphans.push(id)
    hasChildren.add(parent)
  }
  const levelOf = new Map<string, number>()
  for (const id of parents.keys()) {
    const path: string[] = []
    const onPath = new Set<string>()
    let at: string | null | undefined = id
    while (at !== null && at !== undefined && !levelOf.has(at) && parents.has(at)) {
      if (onPath.has(at)) break
      onPath.add(at)
      path.push(at)
      at = parents.get(at)
    }
    if (at !== null && at !== undefined && onPath.has(at)) {
      // Rows below a cycle are not in it; only the rows the walk comes back to are.
      if (at === id) cycles.push(id)
      continue
    }
    let level = at === null || at === undefined || !parents.has(at) ? 0 : levelOf.get(at)!
    if (at !== null && at !== undefined && !parents.has(at)) continue // an orphan's line: reported as one already
    for (let i = path.length - 1; i >= 0; i--) levelOf.set(path[i]!, ++level)
  }
  for (const [id, level] of levelOf) if (!hasChildren.has(id) && level !== depth) wrongDepth.push(id)
  const byId = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true })
  return { orphans: orphans.sort(byId), cycles: cycles.sort(byId), wrongDepth: wrongDepth.sort(byId) }
}
