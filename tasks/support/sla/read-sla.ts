import fs from 'node:fs/promises'
import path from 'node:path'
import { EtlError, parseCsv } from 'etl'

/** One priority's service levels: hours to the first response and to resolution. */
export interface SlaRow {
  readonly priority: string
  readonly response_hours: number
  readonly resolve_hours: number
}

/** The SLA table's header, in the order the Support department writes it. */
export const SLA_COLUMNS = ['Priority', 'Response hours', 'Resolve hours'] as const
/** The sheet the SLA is on; a workbook without one is read from its first sheet. */
export const SLA_SHEET = 'SLA'

/** A sheet as read: its rows' cells, with the row numbers a person sees (the header is row 1). */
interface SheetRows {
  readonly rows: readonly { readonly number: number; readonly cells: readonly unknown[] }[]
  /** `sheet "SLA"` or `the CSV`, for messages. */
  readonly where: string
}

/**
 * Reads the SLA table the Support department maintains: `sla.xlsx` (sheet `SLA`, else the first
 * sheet) or `sla.csv`, each with the header `Priority | Response hours | Resolve hours` (columns in
 * any order, names in any case). Empty rows are skipped.
 *
 * Throws `ETL_ERR_SUPPORT_SLA_INVALID`, naming the file, the row, the value and the fix, for a
 * missing column, a missing or repeated priority, or hours that are not a positive number;
 * `ETL_ERR_ELT_INPUT_MISSING` when the file cannot be read.
 *
 * ```ts
 * const sla = await readSla(path.join(exportDir(), 'sla.xlsx'))
 * // [{ priority: 'P1', response_hours: 1, resolve_hours: 4 }, …]
 * ```
 */
export async function readSla(file: string): Promise<SlaRow[]> {
  const bytes = await fs.readFile(file).catch((error: Error) => {
    throw new EtlError('ETL_ERR_ELT_INPUT_MISSING', `cannot read the SLA table ${file} (${error.message}); export it there as sla.xlsx or sla.csv`, { cause: error })
  })
  const extension = path.extname(file).toLowerCase()
  if (extension === '.csv') return slaRows(file, csvRows(file, bytes))
  if (extension === '.xlsx') return slaRows(file, await workbookRows(file, bytes))
  throw invalid(`${file}: an SLA table is an Excel workbook (.xlsx) or a CSV file (.csv), not "${extension || 'no extension'}"; save it as sla.xlsx or sla.csv`)
}

function csvRows(file: string, bytes: Buffer): SheetRows {
  try {
    const records = parseCsv(bytes.toString('utf8').replace(/^\uFEFF/, ''))
    return { where: 'the CSV', rows: records.map((cells, i) => ({ number: i + 1, cells })) }
  } catch (error) {
    throw invalid(`${file} is not a readable CSV file (${(error as Error).message}); save it again as CSV (comma-separated, UTF-8)`, error)
  }
}

async function workbookRows(file: string, bytes: Buffer): Promise<SheetRows> {
  // Loaded on first use: exceljs is large, and only this step reads Excel.
  const { default: ExcelJS } = await import('exceljs')
  const workbook = new ExcelJS.Workbook()
  try {
    // exceljs declares its own `Buffer` (an ArrayBuffer); it reads Node's Buffer all the same.
    await workbook.xlsx.load(bytes as unknown as Parameters<typeof workbook.xlsx.load>[0])
  } catch (error) {
    throw invalid(`${file} is not an Excel workbook (${(error as Error).message}); save it from Excel as .xlsx, or export the sheet as sla.csv`, error)
  }
  const sheet = workbook.getWorksheet(SLA_SHEET) ?? workbook.worksheets[0]
  if (!sheet) throw invalid(`${file} has no sheets; put the SLA table on a sheet named "${SLA_SHEET}"`)
  const rows: { number: number; cells: unknown[] }[] = []
  // row.values is 1-based: index 0 is always empty.
  sheet.eachRow({ includeEmpty: false }, (row, number) => rows.push({ number, cells: (row.values as unknown[]).slice(1).map(cellValue) }))
  return { where: `sheet "${sheet.name}"`, rows }
}

/** A cell's value as text or a number: a formula's result, rich text's characters, a hyperlink's text. */
function cellValue(value: unknown): unknown {
  if (value === null || value === undefined || typeof value !== 'object' || value instanceof Date) return value
  if ('result' in value) return cellValue(value.result)
  if ('richText' in value && Array.isArray(value.richText)) return value.richText.map((part: { text?: string }) => part.text ?? '').join('')
  if ('text' in value) return cellValue(value.text)
  if ('error' in value) return String(value.error)
  return undefined
}

function slaRows(file: string, sheet: SheetRows): SlaRow[] {
  const filled = sheet.rows.filter((row) => row.cells.some((cell) => text(cell) !== ''))
  const [header, ...data] = filled
  if (!header) throw invalid(`${file}: ${sheet.where} is empty; write the header ${SLA_COLUMNS.join(', ')} on row 1 and one row per priority under it`)
  const names = header.cells.map((cell) => text(cell))
  const at = SLA_COLUMNS.map((column) => names.findIndex((name) => name.toLowerCase() === column.toLowerCase()))
  const missing = SLA_COLUMNS.filter((_, i) => at[i] === -1)
  if (missing.length > 0) {
    throw invalid(
      `${file}: ${sheet.where} has no column ${missing.map((name) => `"${name}"`).join(', ')} in its header (row ${header.number} has: ${names.filter(Boolean).join(', ') || 'nothing'}); ` +
        `the header must be ${SLA_COLUMNS.join(', ')}: add or rename the column`,
    )
  }
  if (data.length === 0) throw invalid(`${file}: ${sheet.where} has a header but no rows under it; add one row per priority (${SLA_COLUMNS.join(', ')})`)
  const firstRow = new Map<string, number>()
  return data.map((row) => {
    const [priority, response, resolve] = at.map((index) => row.cells[index])
    const name = text(priority)
    if (name === '') throw invalid(`${file}: row ${row.number} has no ${SLA_COLUMNS[0]}; fill it in (e.g. P2) or delete the row`)
    const earlier = firstRow.get(name)
    if (earlier !== undefined) throw invalid(`${file}: row ${row.number} repeats ${SLA_COLUMNS[0]} "${name}" (first on row ${earlier}); each priority must appear once: delete or merge one of the rows`)
    firstRow.set(name, row.number)
    return { priority: name, response_hours: hours(file, row.number, SLA_COLUMNS[1], response), resolve_hours: hours(file, row.number, SLA_COLUMNS[2], resolve) }
  })
}

function hours(file: string, row: number, column: string, value: unknown): number {
  const shown = text(value)
  const number = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(shown) ? Number(shown) : Number.NaN
  if (!Number.isFinite(number) || number <= 0) {
    throw invalid(`${file}: row ${row}, "${column}" is ${shown === '' ? 'empty' : `"${shown}"`}, not a positive number of hours; write a number such as 4`)
  }
  return number
}

function text(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString()
  return String(value).trim()
}

function invalid(message: string, cause?: unknown): EtlError {
  return new EtlError('ETL_ERR_SUPPORT_SLA_INVALID', message, cause === undefined ? undefined : { cause })
}
