import { sql, type Sql } from '../sql.js'
import type { UpsertSpec } from '../upsert.js'

/** Postgres' upsert (PGlite too): `INSERT … SELECT … ON CONFLICT (key) DO UPDATE`, one statement. */
export function postgresUpsertSql(spec: UpsertSpec): Sql[] {
  const target = sql.table(spec.target)
  const columns = sql.join(spec.columns.map((column) => sql.id(column)))
  const key = sql.join(spec.key.map((column) => sql.id(column)))
  const rest = spec.columns.filter((column) => !spec.key.includes(column))
  const action =
    rest.length === 0 ? sql`do nothing` : sql`do update set ${sql.join(rest.map((column) => sql`${sql.id(column)} = excluded.${sql.id(column)}`))}`
  return [sql`insert into ${target} (${columns}) select ${columns} from (${spec.rows}) r on conflict (${key}) ${action}`]
}
