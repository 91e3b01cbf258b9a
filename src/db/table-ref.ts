import { EtlError } from '../errors.js'

/**
 * A table: `'orders'`, `'store.orders'` (schema-qualified), or `{ schema, name }` when a name holds a
 * dot. Without a schema, the connection's default schema (or MySQL database) is meant.
 */
export type TableRef = string | { readonly schema?: string | undefined; readonly name: string }

/** A table reference with its parts apart. */
export interface TableName {
  readonly schema: string | undefined
  readonly name: string
}

/** Splits a {@link TableRef} into schema and name (at the first dot of a string). */
export function tableName(table: TableRef): TableName {
  if (typeof table !== 'string') return checked({ schema: table.schema, name: table.name }, table)
  const dot = table.indexOf('.')
  return checked(dot < 0 ? { schema: undefined, name: table } : { schema: table.slice(0, dot), name: table.slice(dot + 1) }, table)
}

/** `schema.name` or `name`, for messages. */
export function tableLabel(table: TableRef): string {
  const { schema, name } = tableName(table)
  return schema ? `${schema}.${name}` : name
}

function checked(parts: TableName, given: TableRef): TableName {
  if (parts.name === '' || parts.schema === '') {
    throw new EtlError('ETL_ERR_DB_TABLE_MISSING', `table name ${JSON.stringify(given)} has an empty part; write "table" or "schema.table"`)
  }
  return parts
}
