import type { ColumnDescription } from '../../src/db/column-type.js'

/** The order_lines columns the generator and upsert tests use, as a MySQL source describes them. */
export const ORDER_LINES_COLUMNS: ColumnDescription[] = [
  { name: 'order_no', nativeType: 'bigint', type: { kind: 'integer', bits: 64 }, nullable: false },
  { name: 'order_line_no', nativeType: 'int', type: { kind: 'integer', bits: 32 }, nullable: false },
  { name: 'quantity', nativeType: 'int', type: { kind: 'integer', bits: 32 }, nullable: true },
  { name: 'updated_datetime', nativeType: 'datetime', type: { kind: 'timestamp', precision: 0, withTimeZone: false }, nullable: true },
  { name: 'is_deleted', nativeType: 'tinyint(1)', type: { kind: 'boolean' }, nullable: true },
]
