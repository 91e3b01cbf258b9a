import type { ColumnDescription } from '../column-type.js'
import type { Queryable } from '../database.js'
import { sql } from '../sql.js'
import type { TableName } from '../table-ref.js'
import { postgresColumnType, postgresNativeName, type PostgresColumnInfo } from './postgres-types.js'

/**
 * A table's columns from `information_schema.columns`, which Postgres, PGlite and Redshift all have.
 * Without a schema, the first schema on the search path that holds the table is meant.
 */
export async function readPostgresColumns(q: Queryable, table: TableName): Promise<ColumnDescription[]> {
  const schema = table.schema === undefined ? sql`current_schema()` : sql`${table.schema}`
  const { rows } = await q.query<PostgresColumnInfo & Record<string, unknown>>(sql`
    select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, datetime_precision, is_nullable
    from information_schema.columns
    where table_schema = ${schema} and table_name = ${table.name}
    order by ordinal_position`)
  return rows.map((info) => ({
    name: info.column_name,
    nativeType: postgresNativeName(info),
    type: postgresColumnType(info),
    nullable: info.is_nullable === 'YES',
  }))
}

/** The tables and views of the schema unqualified names resolve to (the first on the search path). */
export async function readPostgresTableNames(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(sql`
    select table_name as name from information_schema.tables where table_schema = current_schema() order by table_name`)
  return rows.map((row) => row.name)
}
