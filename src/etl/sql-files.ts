import fs from 'node:fs/promises'
import path from 'node:path'
import { EtlError } from '../errors.js'

/** A SQL file: its name and its statements. */
export interface SqlFile {
  readonly name: string
  readonly file: string
  readonly statements: readonly string[]
}

/**
 * Reads every `*.sql` file of `dir` in name order (`010_…`, `020_…`). Statements end with `;` at the
 * end of a line; `--` comment lines are dropped. The files are the project's own (reviewed like code),
 * not user input.
 */
export async function readSqlFiles(dir: string): Promise<SqlFile[]> {
  let names: string[]
  try {
    names = (await fs.readdir(dir)).filter((name) => name.endsWith('.sql')).sort()
  } catch (error) {
    throw new EtlError('ETL_ERR_ELT_INPUT_MISSING', `cannot read the SQL folder ${dir}: ${(error as Error).message}`, { cause: error })
  }
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name)
      return { name: name.replace(/\.sql$/, ''), file, statements: splitStatements(await fs.readFile(file, 'utf8')) }
    }),
  )
}

/** Splits a script at `;` line ends, dropping comment-only lines and empty statements. */
export function splitStatements(text: string): string[] {
  const body = text
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
  return body
    .split(/;[ \t]*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '')
}
