import fs from 'node:fs'
import path from 'node:path'
import { DIALECT_NAMES } from '../db/dialects.js'
import { EtlError } from '../errors.js'

/** A SQL file: its name and its statements. */
export interface SqlFile {
  readonly name: string
  readonly file: string
  readonly statements: readonly string[]
}

/** The dialects a file name can be specific to, every registered one: `report.redshift.sql`. */
const DIALECT_SUFFIX = new RegExp(`^(.+)\\.(${DIALECT_NAMES.join('|')})\\.sql$`)

/**
 * Reads every `*.sql` file of `dir` in name order (`010_…`, `020_…`). Statements end with `;` at the
 * end of a line; `--` comment lines are dropped. The files are the project's own (reviewed like code),
 * not user input.
 *
 * A file may come in dialect variants: with `flavours` (the database's `sqlFlavours`, most specific
 * first) `010_report.redshift.sql` is read instead of `010_report.sql` for a Redshift warehouse, and
 * variants for other dialects are left out.
 */
export async function readSqlFiles(dir: string, flavours: readonly string[] = []): Promise<SqlFile[]> {
  let names: string[]
  try {
    names = (await fs.promises.readdir(dir)).filter((name) => name.endsWith('.sql'))
  } catch (error) {
    throw new EtlError('ETL_ERR_ELT_INPUT_MISSING', `cannot read the SQL folder ${dir}: ${(error as Error).message}`, { cause: error })
  }
  const chosen = chooseVariants(names, flavours)
  return Promise.all(
    [...chosen.keys()].sort().map(async (name) => {
      const file = path.join(dir, chosen.get(name)!)
      return { name, file, statements: splitStatements(await fs.promises.readFile(file, 'utf8')) }
    }),
  )
}

/**
 * The base names of the SQL files in `dir` (`010_report` for `010_report.sql` and its dialect
 * variants), sorted: what `readSqlFiles` gives one file for, known without reading any. Read at once,
 * for a task's `output()`; a missing folder has none.
 */
export function sqlFileNames(dir: string): string[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith('.sql'))
  } catch {
    return []
  }
  return [...new Set(names.map((name) => DIALECT_SUFFIX.exec(name)?.[1] ?? name.replace(/\.sql$/, '')))].sort()
}

/** For each base name, the file to read: the most specific variant `flavours` allows, else the plain file. */
function chooseVariants(names: readonly string[], flavours: readonly string[]): Map<string, string> {
  const chosen = new Map<string, { file: string; rank: number }>()
  for (const file of names) {
    const variant = DIALECT_SUFFIX.exec(file)
    const base = variant ? variant[1]! : file.replace(/\.sql$/, '')
    const rank = variant ? flavours.indexOf(variant[2]!) : flavours.length
    if (rank < 0) continue
    const current = chosen.get(base)
    if (!current || rank < current.rank) chosen.set(base, { file, rank })
  }
  return new Map([...chosen].map(([base, { file }]) => [base, file]))
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
