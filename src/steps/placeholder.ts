import { EtlError } from '../errors.js'

/** How a placeholder's value is used: bound as a value (the default), or as a validated SQL identifier. */
export type PlaceholderModifier = 'value' | 'ident'

/**
 * One `${name}` in a command or SQL text: `${date}` (a parameter), `${db.host}` (a field of a vars
 * file's mapping, or `${step.field}`, a value a required step returned), `${schema:ident}` (a SQL
 * identifier).
 */
export interface Placeholder {
  /** `db.host` */
  readonly name: string
  /** `['db', 'host']` */
  readonly path: readonly string[]
  readonly modifier: PlaceholderModifier
  /** As written, `${db.host}`, for messages. */
  readonly text: string
}

/** A text cut at its placeholders: literal text and placeholders, in order. */
export type TemplatePart = string | Placeholder

/** `$${…}` is a literal `${…}`; `${…}` a placeholder; anything else with `${` is a mistake. */
const PLACEHOLDER = /\$(\$?)\{([^{}]*)(\}?)/g
const INSIDE = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*(?::\s*([A-Za-z]+)\s*)?$/
const MODIFIERS: ReadonlySet<string> = new Set(['ident'])

/** The placeholder syntax, for messages that tell how to write one. */
export const PLACEHOLDER_SYNTAX = '${name}, ${name.field} or ${name:ident}, or $${…} for a literal ${…}'

/**
 * Cuts `text` at its `${…}` placeholders; `$${…}` stands for a literal `${…}`. A malformed one
 * (`${}`, `${a b}`, `${x:upper}`, no closing brace) is an error naming `where` and the fix.
 *
 * ```ts
 * parseTemplate('pg_dump -t ${schema}.orders $${HOME}')
 * // ['pg_dump -t ', { name: 'schema', … }, '.orders ${HOME}']
 * ```
 */
export function parseTemplate(text: string, where: string): TemplatePart[] {
  const parts: TemplatePart[] = []
  let literal = ''
  let last = 0
  for (const match of text.matchAll(PLACEHOLDER)) {
    literal += text.slice(last, match.index)
    last = match.index + match[0].length
    const [whole, escape, inside, close] = match as unknown as [string, string, string, string]
    if (escape) {
      literal += whole.slice(1)
      continue
    }
    if (!close) throw malformed(whole, where, 'it has no closing }')
    const parsed = INSIDE.exec(inside)
    if (!parsed) throw malformed(whole, where, 'a name is letters, digits and _, with dots between fields')
    const modifier = parsed[2]
    if (modifier !== undefined && !MODIFIERS.has(modifier)) throw malformed(whole, where, `":${modifier}" is not a modifier (the one there is: ":ident", for a SQL name)`)
    if (literal) parts.push(literal)
    literal = ''
    const name = parsed[1]!
    parts.push({ name, path: name.split('.'), modifier: modifier === 'ident' ? 'ident' : 'value', text: whole })
  }
  literal += text.slice(last)
  if (literal) parts.push(literal)
  return parts
}

/** The placeholders of a text. */
export function placeholdersIn(text: string, where: string): Placeholder[] {
  return parseTemplate(text, where).filter((part): part is Placeholder => typeof part !== 'string')
}

/** True when the text has `${` anywhere that is not the `$${` escape. */
export function hasPlaceholder(text: string): boolean {
  return /(?<!\$)\$\{/.test(text)
}

function malformed(text: string, where: string, why: string): EtlError {
  return new EtlError('ETL_ERR_STEP_PLACEHOLDER_INVALID', `${where}: placeholder ${JSON.stringify(text)} is malformed: ${why}; write ${PLACEHOLDER_SYNTAX}`)
}
