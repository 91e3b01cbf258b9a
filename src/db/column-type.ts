/**
 * A column type in portable terms: what a described source column holds, independent of the
 * database it came from, so a landing table for it can be created on any other database.
 * Each dialect reads its own type names into these (`tinyint(1)` → `boolean`) and writes these as its
 * own (`boolean`, `numeric(12,2)`, `varchar(65535)`).
 */
export type ColumnType =
  | { readonly kind: 'boolean' }
  /** Whole numbers that fit in `bits` bits, signed. */
  | { readonly kind: 'integer'; readonly bits: 16 | 32 | 64 }
  /** Exact numbers; `precision` undefined means unconstrained (Postgres `numeric`). */
  | { readonly kind: 'decimal'; readonly precision: number | undefined; readonly scale: number | undefined }
  | { readonly kind: 'float'; readonly bits: 32 | 64 }
  /** Text; `length` in characters, undefined for unbounded text. `fixed` for char(n). */
  | { readonly kind: 'string'; readonly length: number | undefined; readonly fixed?: boolean }
  | { readonly kind: 'date' }
  /** Time of day; `precision` is the digits of fractional seconds. */
  | { readonly kind: 'time'; readonly precision: number | undefined }
  /** A date and time; `withTimeZone` for an instant (timestamptz), false for a wall-clock value (datetime). */
  | { readonly kind: 'timestamp'; readonly precision: number | undefined; readonly withTimeZone: boolean }
  | { readonly kind: 'json' }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'binary'; readonly length: number | undefined }
  /** A type no landing table can hold as it is (geometry, arrays, bit strings…): creating one is an error. */
  | { readonly kind: 'unsupported' }

/** One column of a described table. */
export interface ColumnDescription {
  readonly name: string
  /** The type as the database spells it, e.g. `tinyint(1)`, `character varying(40)`. */
  readonly nativeType: string
  /** The portable type the native one maps to. */
  readonly type: ColumnType
  readonly nullable: boolean
}

/** A described table: its columns in order. */
export interface TableDescription {
  /** The table as described, schema-qualified. */
  readonly table: string
  readonly columns: readonly ColumnDescription[]
}

/** `decimal(12,2)`, `varchar(40)`, `timestamp(6)`…: a short readable form of a portable type. */
export function columnTypeLabel(type: ColumnType): string {
  switch (type.kind) {
    case 'integer':
      return `int${type.bits}`
    case 'decimal':
      return type.precision === undefined ? 'decimal' : `decimal(${type.precision},${type.scale ?? 0})`
    case 'float':
      return `float${type.bits}`
    case 'string':
      return type.length === undefined ? 'text' : `${type.fixed ? 'char' : 'varchar'}(${type.length})`
    case 'time':
    case 'timestamp':
      return `${type.kind}${type.kind === 'timestamp' && type.withTimeZone ? 'tz' : ''}${type.precision === undefined ? '' : `(${type.precision})`}`
    default:
      return type.kind
  }
}
