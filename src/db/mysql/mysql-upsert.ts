import { sql, type Sql } from '../sql.js'
import type { UpsertSpec } from '../upsert.js'

/**
 * MySQL's upsert: `INSERT … SELECT … ON DUPLICATE KEY UPDATE c = VALUES(c)`. `VALUES()` rather than
 * the 8.0.19 row alias, because MariaDB only has `VALUES()`.
 */
export function mysqlUpsertSql(spec: UpsertSpec): Sql[] {
  const target = sql.table(spec.target)
  const columns = sql.join(spec.columns.map((column) => sql.id(column)))
  const rest = spec.columns.filter((column) => !spec.key.includes(column))
  // With only key columns there is nothing to update: assigning a key to itself is MySQL's no-op.
  const assignments = (rest.length ? rest : spec.key.slice(0, 1)).map((column) => sql`${sql.id(column)} = values(${sql.id(column)})`)
  return [sql`insert into ${target} (${columns}) select ${columns} from (${spec.rows}) r on duplicate key update ${sql.join(assignments)}`]
}
