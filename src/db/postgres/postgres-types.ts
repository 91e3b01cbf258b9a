import type { ColumnType } from '../column-type.js'
import type { NativeType } from '../sql-dialect.js'

/** One row of `information_schema.columns`, as the describe query selects it. */
export interface PostgresColumnInfo {
  column_name: string
  data_type: string
  character_maximum_length: number | string | null
  numeric_precision: number | string | null
  numeric_scale: number | string | null
  datetime_precision: number | string | null
  is_nullable: string
}

const number = (value: number | string | null): number | undefined => (value === null ? undefined : Number(value))

/** The native spelling, e.g. `character varying(40)`, `numeric(12,2)`, `timestamp(3) without time zone`. */
export function postgresNativeName(info: PostgresColumnInfo): string {
  const length = number(info.character_maximum_length)
  const precision = number(info.numeric_precision)
  if (length !== undefined) return `${info.data_type}(${length})`
  if (info.data_type === 'numeric' && precision !== undefined) return `numeric(${precision},${number(info.numeric_scale) ?? 0})`
  return info.data_type
}

/** Reads a Postgres (or Redshift) column's type into portable terms. */
export function postgresColumnType(info: PostgresColumnInfo): ColumnType {
  const length = number(info.character_maximum_length)
  const fraction = number(info.datetime_precision)
  switch (info.data_type) {
    case 'boolean':
      return { kind: 'boolean' }
    case 'smallint':
      return { kind: 'integer', bits: 16 }
    case 'integer':
      return { kind: 'integer', bits: 32 }
    case 'bigint':
      return { kind: 'integer', bits: 64 }
    case 'numeric':
      return { kind: 'decimal', precision: number(info.numeric_precision), scale: number(info.numeric_scale) }
    case 'real':
      return { kind: 'float', bits: 32 }
    case 'double precision':
      return { kind: 'float', bits: 64 }
    case 'character varying':
      return { kind: 'string', length }
    case 'character':
      return { kind: 'string', length, fixed: true }
    case 'text':
      return { kind: 'string', length: undefined }
    case 'date':
      return { kind: 'date' }
    case 'time without time zone':
      return { kind: 'time', precision: fraction }
    case 'timestamp without time zone':
      return { kind: 'timestamp', precision: fraction, withTimeZone: false }
    case 'timestamp with time zone':
      return { kind: 'timestamp', precision: fraction, withTimeZone: true }
    case 'json':
    case 'jsonb':
    case 'super':
      return { kind: 'json' }
    case 'uuid':
      return { kind: 'uuid' }
    case 'bytea':
      return { kind: 'binary', length: undefined }
    default:
      return { kind: 'unsupported' }
  }
}

const fraction = (precision: number | undefined): string => (precision === undefined ? '' : `(${Math.min(precision, 6)})`)

/** The Postgres type for a portable one: what a landing table on Postgres or PGlite declares. */
export function postgresNativeType(type: ColumnType): NativeType {
  switch (type.kind) {
    case 'boolean':
      return 'boolean'
    case 'integer':
      return type.bits === 16 ? 'smallint' : type.bits === 32 ? 'integer' : 'bigint'
    case 'decimal':
      return type.precision === undefined ? 'numeric' : `numeric(${type.precision},${type.scale ?? 0})`
    case 'float':
      return type.bits === 32 ? 'real' : 'double precision'
    case 'string':
      if (type.length === undefined) return 'text'
      return `${type.fixed ? 'character' : 'character varying'}(${type.length})`
    case 'date':
      return 'date'
    case 'time':
      return `time${fraction(type.precision)}`
    case 'timestamp':
      return `timestamp${fraction(type.precision)} ${type.withTimeZone ? 'with' : 'without'} time zone`
    case 'json':
      return 'jsonb'
    case 'uuid':
      return 'uuid'
    case 'binary':
      return 'bytea'
    case 'unsupported':
      return { unmappable: 'there is no portable equivalent; cast the column to text (or a plain type) in the extract query, or leave it out' }
  }
}
