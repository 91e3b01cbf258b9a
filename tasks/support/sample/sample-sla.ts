import fs from 'node:fs/promises'
import { SLA_COLUMNS, SLA_SHEET, type SlaRow } from '../sla/read-sla.js'
import { setZipEntryTimes } from './stable-zip.js'

/** The Support department's service levels in the sample, as `sla.xlsx` holds them. */
export const SAMPLE_SLA: readonly SlaRow[] = Object.freeze([
  { priority: 'P1', response_hours: 1, resolve_hours: 4 },
  { priority: 'P2', response_hours: 4, resolve_hours: 24 },
  { priority: 'P3', response_hours: 8, resolve_hours: 72 },
  { priority: 'P4', response_hours: 24, resolve_hours: 168 },
])

/** The SLA row of a priority. */
export function slaOf(priority: string): SlaRow {
  const row = SAMPLE_SLA.find((sla) => sla.priority === priority)
  if (!row) throw new Error(`no SLA for priority "${priority}"`)
  return row
}

/** The workbook's own dates (document properties, ZIP entries): fixed, so the file is the same on every run. */
const WORKBOOK_DATE = new Date(Date.UTC(2024, 0, 1))

/** Writes the SLA table as an Excel workbook with one sheet, `SLA`, as the Support department keeps it. */
export async function writeSlaWorkbook(file: string, rows: readonly SlaRow[] = SAMPLE_SLA): Promise<void> {
  const { default: ExcelJS } = await import('exceljs')
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'Support department'
  workbook.lastModifiedBy = 'Support department'
  workbook.created = WORKBOOK_DATE
  workbook.modified = WORKBOOK_DATE
  const sheet = workbook.addWorksheet(SLA_SHEET)
  sheet.addRow([...SLA_COLUMNS])
  for (const row of rows) sheet.addRow([row.priority, row.response_hours, row.resolve_hours])
  sheet.getRow(1).font = { bold: true }
  sheet.columns.forEach((column) => (column.width = 16))
  const bytes = Buffer.from(await workbook.xlsx.writeBuffer())
  await fs.writeFile(file, setZipEntryTimes(bytes, WORKBOOK_DATE))
}
