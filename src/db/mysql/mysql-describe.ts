import type { ColumnDescription } from '../column-type.js'
import type { Queryable } from '../database.js'
import { sql } from '../sql.js'
import type { TableName } from '../table-ref.js'
import { mysqlColumnType } from './mysql-types.js'

/** A table's columns from `information_schema.columns`; without a schema, the connection's database. */
export async function readMysqlColumns(q: Queryable, table: TableName): Promise<ColumnDescription[]> {
  const schema = table.schema === undefined ? sql`database()` : sql`${table.schema}`
  const { rows } = await q.query<{ name: string; column_type: string; nullable: string }>(sql`
    select column_name as name, column_type as column_type, is_nullable as nullable
    from information_schema.columns
    where table_schema = ${schema} and table_name = ${table.name}
    order by ordinal_position`)
  return rows.map((row) => ({ name: row.name, nativeType: row.column_type, type: mysqlColumnType(row.column_type), nullable: row.nullable === 'YES' }))
}

/** The tables and views of the connection's database. */
export async function readMysqlTableNames(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(sql`
    select table_name as name from information_schema.tables where table_schema = database() order by table_name`)
  return rows.map((row) => row.name)
}
