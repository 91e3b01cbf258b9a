import type { ColumnType } from '../column-type.js'
import type { NativeType } from '../sql-dialect.js'

/** Redshift's widest DECIMAL. */
const MAX_DECIMAL_PRECISION = 38
/** Redshift's widest VARCHAR, in bytes. */
const MAX_VARCHAR_BYTES = 65_535
/** Bytes a character can take in UTF-8: Redshift sizes VARCHAR in bytes, MySQL and Postgres in characters. */
const UTF8_MAX_BYTES = 4

/** The Redshift landing type for a portable one. */
export function redshiftNativeType(type: ColumnType): NativeType {
  switch (type.kind) {
    case 'boolean':
      return 'boolean'
    case 'integer':
      return type.bits === 16 ? 'smallint' : type.bits === 32 ? 'integer' : 'bigint'
    case 'decimal':
      if (type.precision === undefined) return { unmappable: 'Redshift needs a declared precision; declare numeric(p,s) at the source or cast it in the extract query' }
      if (type.precision > MAX_DECIMAL_PRECISION) return { unmappable: `precision ${type.precision} is over Redshift's ${MAX_DECIMAL_PRECISION}; cast it to numeric(38,s) or text in the extract query` }
      return `numeric(${type.precision},${type.scale ?? 0})`
    case 'float':
      return type.bits === 32 ? 'real' : 'double precision'
    case 'string':
      // CHAR holds single-byte characters only in Redshift, so fixed-width text lands as VARCHAR too.
      return `varchar(${type.length === undefined ? MAX_VARCHAR_BYTES : Math.min(type.length * UTF8_MAX_BYTES, MAX_VARCHAR_BYTES)})`
    case 'date':
      return 'date'
    case 'time':
      return 'time'
    case 'timestamp':
      return type.withTimeZone ? 'timestamptz' : 'timestamp'
    case 'json':
      return `varchar(${MAX_VARCHAR_BYTES})`
    case 'uuid':
      return 'varchar(36)'
    case 'binary':
      return { unmappable: 'COPY from CSV cannot load bytes; encode the column as hex or base64 text in the extract query' }
    case 'unsupported':
      return { unmappable: 'there is no portable equivalent; cast the column to text (or a plain type) in the extract query, or leave it out' }
  }
}
