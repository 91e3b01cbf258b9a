import type { ColumnType } from '../column-type.js'
import type { DatabaseCapabilities } from '../database.js'
import { indexName } from '../index-name.js'
import { sql, type Sql } from '../sql.js'
import type { ScriptSyntax } from '../sql-script.js'
import { SqlDialect, type IndexStatements, type NativeType, type UpdateAssignment } from '../sql-dialect.js'
import { tableName, type TableRef } from '../table-ref.js'
import type { UpsertSpec } from '../upsert.js'
import { mysqlNativeType } from './mysql-types.js'

const CAPABILITIES: DatabaseCapabilities = Object.freeze({ copyFromS3: false, transactionalDdl: false })

/** Backticks, `"…"` strings, `#` comments and backslash escapes, and no dollar quotes. */
const SCRIPT_SYNTAX: ScriptSyntax = Object.freeze({
  dollarQuotes: false,
  backtickIdentifiers: true,
  doubleQuotedStrings: true,
  hashComments: true,
  backslashEscapes: true,
})

/** MySQL's (and MariaDB's) SQL: `?` placeholders, backtick-quoted identifiers, its types, `ON DUPLICATE KEY UPDATE`. */
export class MysqlDialect extends SqlDialect {
  readonly name = 'mysql'

  /** DDL commits the open transaction implicitly. */
  override get capabilities(): DatabaseCapabilities {
    return CAPABILITIES
  }

  override get scriptSyntax(): ScriptSyntax {
    return SCRIPT_SYNTAX
  }

  override placeholder(): string {
    return '?'
  }

  override quoteIdentifier(name: string): string {
    return `\`${name.replace(/`/g, '``')}\``
  }

  nativeType(type: ColumnType): NativeType {
    return mysqlNativeType(type)
  }

  /** MySQL has no `create index if not exists` (MariaDB has), so the index is looked up first. */
  override ensureIndexSql(table: TableRef, columns: readonly string[]): IndexStatements {
    const { schema, name } = tableName(table)
    const index = indexName(table, columns)
    return {
      exists: sql`
      select 1 as found from information_schema.statistics
      where table_schema = ${schema === undefined ? sql`database()` : sql`${schema}`} and table_name = ${name} and index_name = ${index}
      limit 1`,
      create: sql`create index ${sql.id(index)} on ${sql.table(table)} (${sql.join(columns.map((column) => sql.id(column)))})`,
    }
  }

  /** MySQL has no `update … from`: the source is joined. */
  override updateFromSql(target: TableRef, source: Sql, match: Sql, set: readonly UpdateAssignment[]): Sql {
    const assignments = sql.join(set.map((item) => sql`t.${sql.id(item.column)} = ${item.value}`))
    return sql`update ${sql.table(target)} t join ${source} s on ${match} set ${assignments}`
  }

  /** `drop temporary table`: a plain `drop table` would commit the open transaction. */
  override dropTemporaryTableSql(name: string): Sql {
    return sql`drop temporary table if exists ${sql.id(name)}`
  }

  /**
   * `INSERT … SELECT … ON DUPLICATE KEY UPDATE c = VALUES(c)`. `VALUES()` rather than the 8.0.19 row
   * alias, because MariaDB only has `VALUES()`.
   */
  override upsertSql(spec: UpsertSpec): Sql[] {
    const target = sql.table(spec.target)
    const columns = sql.join(spec.columns.map((column) => sql.id(column)))
    const rest = spec.columns.filter((column) => !spec.key.includes(column))
    // With only key columns there is nothing to update: assigning a key to itself is MySQL's no-op.
    const assignments = (rest.length ? rest : spec.key.slice(0, 1)).map((column) => sql`${sql.id(column)} = values(${sql.id(column)})`)
    return [sql`insert into ${target} (${columns}) select ${columns} from (${spec.rows}) r on duplicate key update ${sql.join(assignments)}`]
  }
}

/** MySQL's (and MariaDB's) dialect. */
export const mysqlDialect: MysqlDialect = Object.freeze(new MysqlDialect())
