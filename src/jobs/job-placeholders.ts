import fs from 'node:fs'
import { DIALECT_NAMES } from '../db/dialects.js'
import { splitScript, STANDARD_SCRIPT_SYNTAX } from '../db/sql-script.js'
import { placeholdersIn, type Placeholder } from '../steps/placeholder.js'
import { PlaceholderValues, type ParameterValue } from '../steps/placeholder-values.js'
import type { CommandAction, FollowUp, JobDefinition, SqlAction } from './job-definition.js'
import { shownPath } from './read-job-file.js'

/**
 * Checks every placeholder of a job before anything runs: each must name a job parameter, a value
 * of the vars files, or a field of a step the step requires (`${conditions.files}`); a follow-up
 * may also read its step's `${result.<field>}` (onSuccess) or `${error.message}` (onError).
 * SQL files are read, every dialect variant of them.
 */
export function checkJobPlaceholders(job: JobDefinition): void {
  const params = new Map<string, ParameterValue>(Object.keys(job.params).map((name) => [name, { value: '', text: '' }]))
  const sqlParams = new Map([...params, ['connection', { value: '', text: '' }]])
  const check = (owner: string, action: CommandAction | SqlAction, runTime: readonly string[]) => {
    for (const [field, placeholders] of actionPlaceholders(action, owner)) {
      const scope = { owner: `${owner}, field ${field}`, params: action.kind === 'sql' ? sqlParams : params, vars: job.vars, runTime: new Map(runTime.map((name) => [name, undefined])) }
      new PlaceholderValues(scope).check(placeholders)
    }
  }
  const followUps = (owner: string, list: readonly FollowUp[], runTime: readonly string[]) => {
    list.forEach((followUp, index) => {
      if (followUp.kind !== 'job') check(`${owner}[${index}]`, followUp, runTime)
    })
  }
  const upstream = upstreamSteps(job)
  for (const step of job.steps) {
    const owner = `${job.shownFile}: step "${step.name}"`
    const before = upstream.get(step.name)!
    check(owner, step.action, before)
    followUps(`${owner}, onSuccess`, step.onSuccess, [...before, 'result'])
    followUps(`${owner}, onError`, step.onError, [...before, 'error'])
  }
  followUps(`${job.shownFile}: the job, onSuccess`, job.onSuccess, [...job.steps.map((step) => step.name), 'result'])
  followUps(`${job.shownFile}: the job, onError`, job.onError, ['error'])
}

/** For each step, the steps upstream of it: what it requires, and what those require, and so on. */
function upstreamSteps(job: JobDefinition): Map<string, string[]> {
  const byName = new Map(job.steps.map((step) => [step.name, step]))
  const upstream = new Map<string, string[]>()
  const of = (name: string): string[] => {
    const known = upstream.get(name)
    if (known) return known
    const found = new Set<string>()
    for (const required of byName.get(name)!.requires) {
      found.add(required)
      for (const further of of(required)) found.add(further)
    }
    upstream.set(name, [...found])
    return upstream.get(name)!
  }
  for (const step of job.steps) of(step.name)
  return upstream
}

/** The placeholders of an action, by the field that holds them. */
function actionPlaceholders(action: CommandAction | SqlAction, where: string): [string, Placeholder[]][] {
  if (action.kind === 'command') {
    const command = typeof action.command === 'string' ? [action.command] : action.command
    return [
      ['command', command.flatMap((arg) => placeholdersIn(arg, where))],
      ['env', Object.values(action.env).flatMap((value) => placeholdersIn(value, where))],
      ['cwd', placeholdersIn(action.cwd, where)],
    ]
  }
  if (action.sqlFile === undefined) return [['sql', action.sql.flatMap((text) => scriptPlaceholders(text, where))]]
  return sqlFileVariants(action.sqlFile).map((file) => [`sqlFile (${shownPath(file)})`, scriptPlaceholders(fs.readFileSync(file, 'utf8'), where)])
}

/** The placeholders in SQL code and bodies (not comments; quoted ones are refused when the statement is bound). */
function scriptPlaceholders(script: string, where: string): Placeholder[] {
  return splitScript(script, STANDARD_SCRIPT_SYNTAX).flatMap((statement) =>
    statement.pieces.filter((piece) => piece.kind === 'code' || piece.kind === 'body').flatMap((piece) => placeholdersIn(piece.text, where)),
  )
}

function sqlFileVariants(file: string): string[] {
  const base = file.replace(/\.sql$/i, '')
  return [file, ...DIALECT_NAMES.map((dialect) => `${base}.${dialect}.sql`)].filter((candidate) => fs.existsSync(candidate))
}
