import type { Database } from '../../db/database.js'
import { readSqlFiles } from '../sql-files.js'
import { bindSqlVariables } from '../sql-variables.js'

/**
 * Runs every `*.sql` of `dir` in name order (the warehouse's dialect variants chosen, see
 * `readSqlFiles`), each file in one transaction, with psql-style `:name` variables bound to
 * `variables` (`:exec_seq`, so a file can refresh only what a sequence changed). A reader never
 * sees a half-run file, and a failure leaves the file's tables as they were for the rerun.
 */
export async function runSqlFolder(
  warehouse: Database,
  dir: string,
  variables: Readonly<Record<string, number>>,
  progress: (file: string, index: number, total: number) => void = () => {},
): Promise<string[]> {
  const files = await readSqlFiles(dir, warehouse.sqlFlavours)
  for (const [index, file] of files.entries()) {
    progress(file.name, index, files.length)
    await warehouse.transaction(async (tx) => {
      for (const statement of file.statements) await tx.query(bindSqlVariables(statement, variables))
    })
  }
  return files.map((file) => file.name)
}
