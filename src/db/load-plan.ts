import type { Readable } from 'node:stream'
import { EtlError } from '../errors.js'
import { splitCsvHeader } from '../csv/csv-header.js'
import type { ColumnDescription } from './column-type.js'
import { describeConnection, type ConnectionLabel } from './connection-label.js'
import type { BulkLoadOptions, CsvSource } from './database.js'
import { tableMissingError } from './database-errors.js'
import { tableLabel, type TableRef } from './table-ref.js'

/** A checked bulk load: the target's columns in CSV order and the data bytes without the header. */
export interface LoadPlan {
  /** The table's columns, in the order the CSV holds them. */
  readonly columns: readonly ColumnDescription[]
  /** The data records (the header, if any, already read off). */
  readonly body: AsyncIterable<Buffer | string> | Readable
}

/**
 * Checks a bulk load before anything is written: the table exists and every CSV column is one of its
 * columns (matched exactly, else case-insensitively, as MySQL and unquoted Postgres names behave).
 */
export async function planLoad(
  label: ConnectionLabel,
  table: TableRef,
  describe: () => Promise<readonly ColumnDescription[]>,
  csv: CsvSource,
  options: BulkLoadOptions = {},
): Promise<LoadPlan> {
  const tableColumns = await describe()
  if (tableColumns.length === 0) throw tableMissingError(label, table)
  const split = options.columns ? { columns: options.columns, body: csv } : await splitCsvHeader(csv, `the CSV for "${tableLabel(table)}"`)
  const columns = split.columns.map((name) => {
    const found = tableColumns.find((column) => column.name === name) ?? uniqueCaseInsensitive(tableColumns, name)
    if (found) return found
    throw new EtlError(
      'ETL_ERR_DB_COLUMN_MISSING',
      `CSV column "${name}" is not a column of "${tableLabel(table)}" on ${describeConnection(label)}; the table has ${tableColumns.map((column) => column.name).join(', ')}. Add the column to the table or leave it out of the extract`,
    )
  })
  return { columns, body: split.body }
}

function uniqueCaseInsensitive(columns: readonly ColumnDescription[], name: string): ColumnDescription | undefined {
  const lower = name.toLowerCase()
  const matches = columns.filter((column) => column.name.toLowerCase() === lower)
  return matches.length === 1 ? matches[0] : undefined
}
