import type { ColumnType } from '../column-type.js'
import type { NativeType } from '../sql-dialect.js'

/** MySQL's widest DECIMAL. */
const MAX_DECIMAL_PRECISION = 65
/** The longest VARCHAR that still fits a utf8mb4 row (65,535 bytes / 4); longer text becomes LONGTEXT. */
const MAX_VARCHAR = 16_383

const INTEGER = /^(tinyint|smallint|mediumint|int|integer|bigint)(?:\((\d+)\))?( unsigned)?/
const DECIMAL = /^(?:decimal|numeric|dec|fixed)(?:\((\d+)(?:,(\d+))?\))?/
const SIZED = /^(\w+)(?:\((\d+)\))?/

/**
 * Reads a MySQL column type as `information_schema.columns.column_type` spells it (`tinyint(1)`,
 * `int(10) unsigned`, `decimal(12,2)`, `datetime(3)`, `enum('a','b')`) into portable terms.
 * Unsigned integers widen to the next size that holds them; `bigint unsigned` becomes decimal(20,0).
 */
export function mysqlColumnType(columnType: string): ColumnType {
  const text = columnType.toLowerCase().trim()
  if (/^tinyint\(1\)/.test(text) || text === 'boolean' || text === 'bool') return { kind: 'boolean' }
  const integer = INTEGER.exec(text)
  if (integer) {
    const unsigned = integer[3] !== undefined
    switch (integer[1]) {
      case 'tinyint':
        return { kind: 'integer', bits: 16 }
      case 'smallint':
        return { kind: 'integer', bits: unsigned ? 32 : 16 }
      case 'mediumint':
        return { kind: 'integer', bits: 32 }
      case 'bigint':
        return unsigned ? { kind: 'decimal', precision: 20, scale: 0 } : { kind: 'integer', bits: 64 }
      default:
        return { kind: 'integer', bits: unsigned ? 64 : 32 }
    }
  }
  const decimal = DECIMAL.exec(text)
  if (decimal) return { kind: 'decimal', precision: Number(decimal[1] ?? 10), scale: Number(decimal[2] ?? 0) }
  if (text.startsWith('enum(')) {
    const longest = Math.max(1, ...[...text.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replace(/''/g, "'").length))
    return { kind: 'string', length: longest }
  }
  const sized = SIZED.exec(text)
  const size = sized?.[2] === undefined ? undefined : Number(sized[2])
  switch (sized?.[1]) {
    case 'float':
      return { kind: 'float', bits: 32 }
    case 'double':
    case 'real':
      return { kind: 'float', bits: 64 }
    case 'char':
      return { kind: 'string', length: size ?? 1, fixed: true }
    case 'varchar':
      return { kind: 'string', length: size }
    case 'tinytext':
      return { kind: 'string', length: 255 }
    case 'text':
    case 'mediumtext':
    case 'longtext':
    case 'set':
      return { kind: 'string', length: undefined }
    case 'json':
      return { kind: 'json' }
    case 'date':
      return { kind: 'date' }
    case 'time':
      return { kind: 'time', precision: size ?? 0 }
    case 'datetime':
    case 'timestamp':
      // Both come back as the wall-clock text MySQL shows, so both land as a timestamp without a zone.
      return { kind: 'timestamp', precision: size ?? 0, withTimeZone: false }
    case 'year':
      return { kind: 'integer', bits: 16 }
    case 'binary':
    case 'varbinary':
      return { kind: 'binary', length: size }
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return { kind: 'binary', length: undefined }
    case 'uuid':
      return { kind: 'uuid' }
    default:
      return { kind: 'unsupported' }
  }
}

/** The MySQL type for a portable one. */
export function mysqlNativeType(type: ColumnType): NativeType {
  switch (type.kind) {
    case 'boolean':
      return 'tinyint(1)'
    case 'integer':
      return type.bits === 16 ? 'smallint' : type.bits === 32 ? 'int' : 'bigint'
    case 'decimal':
      if (type.precision === undefined) return { unmappable: 'an unconstrained numeric has no MySQL equivalent; declare numeric(p,s) at the source or cast it in the extract query' }
      if (type.precision > MAX_DECIMAL_PRECISION) return { unmappable: `precision ${type.precision} is over MySQL's ${MAX_DECIMAL_PRECISION}; cast it in the extract query` }
      return `decimal(${type.precision},${type.scale ?? 0})`
    case 'float':
      return type.bits === 32 ? 'float' : 'double'
    case 'string':
      if (type.length === undefined || type.length > MAX_VARCHAR) return 'longtext'
      return type.fixed && type.length <= 255 ? `char(${type.length})` : `varchar(${type.length})`
    case 'date':
      return 'date'
    case 'time':
      return `time(${Math.min(type.precision ?? 0, 6)})`
    case 'timestamp':
      if (type.withTimeZone) return { unmappable: "MySQL has no timestamp with a time zone; convert it in the extract query (e.g. ts at time zone 'UTC')" }
      return `datetime(${Math.min(type.precision ?? 0, 6)})`
    case 'json':
      return 'json'
    case 'uuid':
      return 'char(36)'
    case 'binary':
      return 'longblob'
    case 'unsupported':
      return { unmappable: 'there is no portable equivalent; cast the column to text (or a plain type) in the extract query, or leave it out' }
  }
}
