import fs from 'node:fs'
import path from 'node:path'
import { DIALECT_NAMES } from '../db/dialects.js'
import { DEFAULT_SQL_CONNECTION } from '../steps/sql-task.js'
import type { CommandAction, FollowUp, JobAction, SqlAction } from './job-definition.js'
import { jobInvalid } from './job-error.js'
import type { FollowUpEntry, StepEntry } from './job-schema.js'
import { JOB_FILE, shownPath } from './read-job-file.js'

/** Where an entry is, for messages, and what its relative paths and default connection are. */
export interface EntryPlace {
  /** The job file as messages name it. */
  readonly file: string
  /** `step "staging"`, `step "staging", onError[1]`. */
  readonly at: string
  /** The job file's folder: paths in it are relative to it. */
  readonly dir: string
  /** The job's `connection`, for SQL that names none. */
  readonly connection: string | undefined
}

const COMMAND_ONLY = ['shell', 'env', 'cwd', 'okExitCodes'] as const
const SQL_ONLY = ['connection', 'transaction'] as const

/** What a step runs: a command or SQL, exactly one of them, with only the fields that apply to it. */
export function stepAction(entry: StepEntry, place: EntryPlace): CommandAction | SqlAction {
  const action = entryAction(entry, place, false)
  return action as CommandAction | SqlAction
}

/** What a follow-up runs: a command, SQL or another job file. */
export function followUpAction(entry: FollowUpEntry, place: EntryPlace): FollowUp {
  const action = entryAction(entry, place, true)
  const label = entry.name ?? (action.kind === 'command' ? 'command' : action.kind === 'sql' ? 'SQL' : `job ${shownPath(action.file)}`)
  return { ...action, label, timeoutMs: entry.timeout }
}

function entryAction(entry: StepEntry | FollowUpEntry, place: EntryPlace, followUp: boolean): CommandAction | SqlAction | JobAction {
  const kinds = (['command', 'sql', 'sqlFile', ...(followUp ? ['job'] : [])] as const).filter((kind) => (entry as Record<string, unknown>)[kind] !== undefined)
  const what = followUp ? 'a follow-up runs' : 'a step runs'
  if (kinds.length === 0) {
    throw jobInvalid(place.file, place.at, 'command', undefined, `${what} something: give "command" (the program and its arguments), "sql" or "sqlFile"${followUp ? ', or "job" (another job file)' : ''}`)
  }
  if (kinds.length > 1) {
    throw jobInvalid(place.file, place.at, kinds[1]!, (entry as Record<string, unknown>)[kinds[1]!], `${what} one thing, and "${kinds[0]}" is given too; keep "${kinds[0]}" or "${kinds[1]}", not both`)
  }
  const kind = kinds[0]!
  if (kind === 'command') return commandAction(entry, place)
  if (kind === 'job') return jobAction((entry as FollowUpEntry).job!, entry, place)
  return sqlAction(entry, place)
}

function commandAction(entry: StepEntry | FollowUpEntry, place: EntryPlace): CommandAction {
  refuseFields(entry, place, SQL_ONLY, 'a command')
  const command = entry.command!
  const shell = entry.shell ?? false
  if (typeof command === 'string' && !shell) {
    throw jobInvalid(place.file, place.at, 'command', command, 'one string would need a shell to split it; give the program and its arguments as a list, or add "shell": true')
  }
  if (typeof command !== 'string' && shell) {
    throw jobInvalid(place.file, place.at, 'shell', true, 'with "shell": true the command is one command line (a string); join the list, or remove "shell"')
  }
  return {
    kind: 'command',
    command,
    shell,
    env: entry.env ?? {},
    cwd: entry.cwd === undefined ? place.dir : path.resolve(place.dir, entry.cwd),
    okExitCodes: entry.okExitCodes ?? [0],
  }
}

function sqlAction(entry: StepEntry | FollowUpEntry, place: EntryPlace): SqlAction {
  refuseFields(entry, place, COMMAND_ONLY, 'SQL')
  const sqlFile = entry.sqlFile === undefined ? undefined : path.resolve(place.dir, entry.sqlFile)
  if (sqlFile !== undefined) checkSqlFile(sqlFile, entry.sqlFile!, place)
  return {
    kind: 'sql',
    sql: entry.sql === undefined ? [] : typeof entry.sql === 'string' ? [entry.sql] : entry.sql,
    sqlFile,
    connection: entry.connection ?? place.connection ?? DEFAULT_SQL_CONNECTION,
    transaction: entry.transaction ?? true,
  }
}

function jobAction(given: string, entry: StepEntry | FollowUpEntry, place: EntryPlace): JobAction {
  const others = [...COMMAND_ONLY, ...SQL_ONLY].filter((field) => (entry as Record<string, unknown>)[field] !== undefined)
  if (others.length) throw jobInvalid(place.file, place.at, others[0]!, (entry as Record<string, unknown>)[others[0]!], 'a follow-up job takes its settings from its own file; remove it')
  const file = path.resolve(place.dir, given)
  if (!JOB_FILE.test(file)) throw jobInvalid(place.file, place.at, 'job', given, 'a job file is .json, .yaml or .yml')
  if (!fs.existsSync(file)) throw jobInvalid(place.file, place.at, 'job', given, `there is no such file (${shownPath(file)}); paths are relative to the job file's folder`)
  return { kind: 'job', file }
}

/** A SQL file or, for a file used on several databases, one of its dialect variants (`load.mysql.sql`). */
function checkSqlFile(file: string, given: string, place: EntryPlace): void {
  const base = file.replace(/\.sql$/i, '')
  const candidates = [file, ...DIALECT_NAMES.map((dialect) => `${base}.${dialect}.sql`)]
  if (candidates.some((candidate) => fs.existsSync(candidate))) return
  throw jobInvalid(place.file, place.at, 'sqlFile', given, `there is no such file (${shownPath(file)}, nor a variant such as ${path.basename(base)}.postgres.sql); paths are relative to the job file's folder`)
}

function refuseFields(entry: StepEntry | FollowUpEntry, place: EntryPlace, fields: readonly string[], kind: string): void {
  for (const field of fields) {
    const value = (entry as Record<string, unknown>)[field]
    if (value !== undefined) throw jobInvalid(place.file, place.at, field, value, `it does not apply to ${kind}; remove it`)
  }
}
