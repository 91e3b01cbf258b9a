import path from 'node:path'
import { LocalTarget } from '../../core/local-target.js'
import { encodeCsvRecord } from '../../csv/csv-value.js'
import type { Database } from '../../db/database.js'
import { readSqlFiles, sqlFileNames } from '../sql-files.js'

/** Where the report of query `name` goes. */
export function reportFile(outDir: string, name: string): LocalTarget {
  return new LocalTarget(path.join(outDir, `${name}.csv`))
}

/** The report files the queries of `dir` make, known without running them (a task's outputs). */
export function reportFiles(dir: string, outDir: string): LocalTarget[] {
  return sqlFileNames(dir).map((name) => reportFile(outDir, name))
}

/**
 * Answers every query of `dir` (one per file, the warehouse's dialect variants chosen) into
 * `<outDir>/<name>.csv`: RFC 4180, a header, CRLF line ends, each written atomically. Returns the
 * rows of each report.
 */
export async function writeQueryReports(warehouse: Database, dir: string, outDir: string): Promise<Record<string, number>> {
  const rows: Record<string, number> = {}
  for (const file of await readSqlFiles(dir, warehouse.sqlFlavours)) {
    const result = await warehouse.query(file.statements.join(';\n'))
    const lines = [encodeCsvRecord(result.columns), ...result.rows.map((row) => encodeCsvRecord(result.columns.map((column) => row[column])))]
    await reportFile(outDir, file.name).write(`${lines.join('\r\n')}\r\n`)
    rows[file.name] = result.rows.length
  }
  return rows
}
