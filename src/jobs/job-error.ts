import type { z } from 'zod'
import { EtlError } from '../errors.js'
import { closestMatch } from '../util/closest-match.js'

/**
 * The error for one bad thing in a job file: the file, where in it (`step "staging"`), the field,
 * the bad value and the fix.
 */
export function jobInvalid(file: string, at: string, field: string, value: unknown, fix: string): EtlError {
  return new EtlError('ETL_ERR_JOB_INVALID', `${file}: ${at}, field ${field}: ${shown(value)} is not valid; ${fix}`)
}

/**
 * The error for a value a schema refused: an unknown field if there is one (a misspelt field is
 * what also makes the right one look missing), else the first problem, at its field under `at`.
 * An unknown field is named with the closest known one.
 */
export function shapeError(file: string, at: string, raw: unknown, issues: readonly z.core.$ZodIssue[], knownFields: readonly string[]): EtlError {
  const issue = issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? issues[0]!
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!
    const close = closestMatch(key, knownFields)
    const field = `${path}${path ? '.' : ''}${key}`.replace(/^\./, '')
    return new EtlError(
      'ETL_ERR_JOB_INVALID',
      `${file}: ${at}, field ${field}: not a field here${close ? ` (did you mean "${close}"?)` : ''}; remove it, or use one of ${knownFields.join(', ')}`,
    )
  }
  const field = path.replace(/^\./, '') || '(top level)'
  const value = valueAt(raw, issue.path)
  return new EtlError('ETL_ERR_JOB_INVALID', `${file}: ${at}, field ${field}: ${value === undefined ? '(missing)' : shown(value)} is not valid; ${issue.message}`)
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw
  for (const part of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined
  return value
}

function shown(value: unknown): string {
  const text = JSON.stringify(value)
  if (text === undefined) return String(value)
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}
