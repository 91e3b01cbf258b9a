import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import ExcelJS from 'exceljs'
import { readSla } from '../../tasks/support/sla/read-sla.js'
import { SAMPLE_SLA, writeSlaWorkbook } from '../../tasks/support/sample/sample-sla.js'
import { tempDir } from '../helpers/sandbox.js'

const SLA_CSV = 'Priority,Response hours,Resolve hours\nP1,1,4\nP2,4,24\nP3,8,72\nP4,24,168\n'

async function folder(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await tempDir('etl-sla-')
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  return dir
}

/** A workbook of `sheets` (name → rows), as someone might save it from Excel. */
async function workbook(file: string, sheets: Record<string, unknown[][]>): Promise<string> {
  const book = new ExcelJS.Workbook()
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = book.addWorksheet(name)
    for (const row of rows) sheet.addRow(row)
  }
  await book.xlsx.writeFile(file)
  return file
}

test("sla: the sample's workbook and the same table as CSV read alike", async (t) => {
  const dir = await folder(t)
  await writeSlaWorkbook(path.join(dir, 'sla.xlsx'))
  await fs.writeFile(path.join(dir, 'sla.csv'), SLA_CSV)
  t.deepEqual(await readSla(path.join(dir, 'sla.xlsx')), [...SAMPLE_SLA])
  t.deepEqual(await readSla(path.join(dir, 'sla.csv')), [...SAMPLE_SLA])
})

test('sla: the sample workbook is byte-identical every time it is written', async (t) => {
  const dir = await folder(t)
  await writeSlaWorkbook(path.join(dir, 'a.xlsx'))
  await new Promise((resolve) => setTimeout(resolve, 2100)) // zip times have a 2-second resolution
  await writeSlaWorkbook(path.join(dir, 'b.xlsx'))
  t.true((await fs.readFile(path.join(dir, 'a.xlsx'))).equals(await fs.readFile(path.join(dir, 'b.xlsx'))))
})

test('sla: the SLA sheet is read wherever it is, columns in any order and case, formulas by their result, empty rows skipped', async (t) => {
  const dir = await folder(t)
  const file = await workbook(path.join(dir, 'sla.xlsx'), {
    Notes: [['maintained by the Support department']],
    SLA: [
      ['resolve hours', 'Priority', 'Comment', 'RESPONSE HOURS'],
      [4, 'P1', 'urgent', 1],
      [],
      [{ formula: '12*2', result: 24 }, ' P2 ', '', '4'],
    ],
  })
  t.deepEqual(await readSla(file), [
    { priority: 'P1', response_hours: 1, resolve_hours: 4 },
    { priority: 'P2', response_hours: 4, resolve_hours: 24 },
  ])
  const first = await workbook(path.join(dir, 'first.xlsx'), { Sheet1: [['Priority', 'Response hours', 'Resolve hours'], ['P3', 8, 72]] })
  t.deepEqual(await readSla(first), [{ priority: 'P3', response_hours: 8, resolve_hours: 72 }], 'without an SLA sheet, the first one')
})

test('sla: a missing column names the file, the columns found and the fix, in a workbook and a CSV', async (t) => {
  const dir = await folder(t)
  const xlsx = await workbook(path.join(dir, 'sla.xlsx'), { SLA: [['Priority', 'Response hours'], ['P1', 1]] })
  const error = await t.throwsAsync(readSla(xlsx))
  t.is((error as { code?: string }).code, 'ETL_ERR_SUPPORT_SLA_INVALID')
  t.is(error.message, `${xlsx}: sheet "SLA" has no column "Resolve hours" in its header (row 1 has: Priority, Response hours); the header must be Priority, Response hours, Resolve hours: add or rename the column`)
  const csv = path.join(dir, 'sla.csv')
  await fs.writeFile(csv, 'Prio,Response hours,Resolve hours\nP1,1,4\n')
  await t.throwsAsync(readSla(csv), { code: 'ETL_ERR_SUPPORT_SLA_INVALID', message: `${csv}: the CSV has no column "Priority" in its header (row 1 has: Prio, Response hours, Resolve hours); the header must be Priority, Response hours, Resolve hours: add or rename the column` })
})

test('sla: a repeated priority names both rows and the fix', async (t) => {
  const dir = await folder(t)
  const csv = path.join(dir, 'sla.csv')
  await fs.writeFile(csv, 'Priority,Response hours,Resolve hours\nP1,1,4\nP2,4,24\nP1,2,8\n')
  const error = await t.throwsAsync(readSla(csv))
  t.is((error as { code?: string }).code, 'ETL_ERR_SUPPORT_SLA_INVALID')
  t.is(error.message, `${csv}: row 4 repeats Priority "P1" (first on row 2); each priority must appear once: delete or merge one of the rows`)
})

test('sla: hours that are not a positive number name the row, the column, the value and the fix', async (t) => {
  const dir = await folder(t)
  const csv = path.join(dir, 'sla.csv')
  const cases: [string, string][] = [
    ['P1,four,4', 'row 2, "Response hours" is "four", not a positive number of hours; write a number such as 4'],
    ['P1,1,', 'row 2, "Resolve hours" is empty, not a positive number of hours; write a number such as 4'],
    ['P1,1,-4', 'row 2, "Resolve hours" is "-4", not a positive number of hours; write a number such as 4'],
    [',1,4', 'row 2 has no Priority; fill it in (e.g. P2) or delete the row'],
  ]
  for (const [row, message] of cases) {
    await fs.writeFile(csv, `Priority,Response hours,Resolve hours\n${row}\n`)
    const error = await t.throwsAsync(readSla(csv))
    t.is((error as { code?: string }).code, 'ETL_ERR_SUPPORT_SLA_INVALID')
    t.is(error.message, `${csv}: ${message}`)
  }
  const xlsx = await workbook(path.join(dir, 'sla.xlsx'), { SLA: [['Priority', 'Response hours', 'Resolve hours'], ['P1', 1, 4], ['P2', 'n/a', 24]] })
  await t.throwsAsync(readSla(xlsx), { message: `${xlsx}: row 3, "Response hours" is "n/a", not a positive number of hours; write a number such as 4` })
})

test('sla: a file with no rows, a file that is not a workbook, another format and a missing file each say what to do', async (t) => {
  const dir = await folder(t)
  const headerOnly = path.join(dir, 'sla.csv')
  await fs.writeFile(headerOnly, 'Priority,Response hours,Resolve hours\n')
  await t.throwsAsync(readSla(headerOnly), { message: `${headerOnly}: the CSV has a header but no rows under it; add one row per priority (Priority, Response hours, Resolve hours)` })
  const broken = path.join(dir, 'sla.xlsx')
  await fs.writeFile(broken, SLA_CSV)
  const error = await t.throwsAsync(readSla(broken))
  t.is((error as { code?: string }).code, 'ETL_ERR_SUPPORT_SLA_INVALID')
  t.regex(error.message, /sla\.xlsx is not an Excel workbook \(.*\); save it from Excel as \.xlsx, or export the sheet as sla\.csv$/)
  const other = path.join(dir, 'sla.ods')
  await fs.writeFile(other, 'x')
  await t.throwsAsync(readSla(other), { message: `${other}: an SLA table is an Excel workbook (.xlsx) or a CSV file (.csv), not ".ods"; save it as sla.xlsx or sla.csv` })
  const missing = await t.throwsAsync(readSla(path.join(dir, 'nowhere.xlsx')))
  t.is((missing as { code?: string }).code, 'ETL_ERR_ELT_INPUT_MISSING')
  t.regex(missing.message, /cannot read the SLA table .*nowhere\.xlsx .*; export it there as sla\.xlsx or sla\.csv/)
})
