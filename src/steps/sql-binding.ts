import { EtlError } from '../errors.js'
import type { ScriptStatement } from '../db/sql-script.js'
import { sql, Sql, SqlRaw } from '../db/sql.js'
import { PLAIN_IDENTIFIER } from '../etl/table-metadata.js'
import { hasPlaceholder, parseTemplate, placeholdersIn, type Placeholder } from './placeholder.js'
import type { PlaceholderValues } from './placeholder-values.js'

/**
 * The placeholders of a statement, checked for where they stand: in SQL code, where a value can be
 * bound and a name quoted; a name (`:ident`) also inside a dollar-quoted body, where it is written
 * quoted; never inside a string literal or a quoted name, where a bound value would not be seen.
 */
export function statementPlaceholders(statement: ScriptStatement, where: string): Placeholder[] {
  const found: Placeholder[] = []
  for (const piece of statement.pieces) {
    if (piece.kind === 'code') found.push(...placeholdersIn(piece.text, where))
    else if (piece.kind === 'body') {
      for (const placeholder of placeholdersIn(piece.text, where)) {
        if (placeholder.modifier !== 'ident') throw insideBody(placeholder, where, statement)
        found.push(placeholder)
      }
    } else if (hasPlaceholder(piece.text)) {
      const [placeholder] = placeholdersIn(piece.text, where)
      throw new EtlError(
        'ETL_ERR_STEP_PLACEHOLDER_INVALID',
        `${where}, statement at line ${statement.line}: placeholder ${placeholder?.text ?? '${…}'} is inside the quoted ${piece.kind} ${piece.text.slice(0, 40)}, where a bound value cannot go; write it without the quotes (its value is bound as a parameter: \`where day = \${date}\`), or $\${…} for a literal`,
      )
    }
  }
  return found
}

/**
 * A statement as a {@link Sql}: every `${name}` a bound parameter (the dialect's `$1` or `?`), every
 * `${name:ident}` a quoted name after checking it is one (letters, digits and _, `schema.table` at
 * most), and `$${…}` a literal `${…}`. Nothing a value holds ever becomes SQL text.
 */
export function bindStatement(statement: ScriptStatement, values: PlaceholderValues, where: string): Sql {
  statementPlaceholders(statement, where)
  const parts: unknown[] = []
  for (const piece of statement.pieces) {
    if (piece.kind === 'string' || piece.kind === 'identifier') {
      parts.push(new SqlRaw(piece.text.replaceAll('$${', '${')))
      continue
    }
    for (const part of parseTemplate(piece.text, where)) {
      if (typeof part === 'string') parts.push(new SqlRaw(part))
      else if (part.modifier === 'ident') parts.push(identifier(part, values, where))
      else parts.push(values.resolve(part).value)
    }
  }
  return joined(parts)
}

/**
 * Refuses, before anything runs, a name placeholder whose value is known already (a parameter, a
 * vars value) and is not a name; one filled at run time is checked when it is bound.
 */
export function checkIdentifiers(placeholders: readonly Placeholder[], values: PlaceholderValues, where: string): void {
  for (const placeholder of placeholders) {
    if (placeholder.modifier === 'ident' && values.isKnown(placeholder)) identifier(placeholder, values, where)
  }
}

/** A name from a placeholder, checked as the metadata dictionaries check table and column names. */
function identifier(placeholder: Placeholder, values: PlaceholderValues, where: string) {
  const { text } = values.resolve(placeholder)
  const names = text.split('.')
  if (names.length > 2 || !names.every((name) => PLAIN_IDENTIFIER.test(name))) {
    throw new EtlError(
      'ETL_ERR_STEP_PLACEHOLDER_INVALID',
      `${where}: placeholder ${placeholder.text} must be a SQL name (letters, digits and _, not starting with a digit, at most 63 long; "schema.table" at most), got ${JSON.stringify(text)}; fix the value`,
    )
  }
  return sql.id(...names)
}

/** `parts` (raw text, identifiers, values) as one statement: raw text joins the template's strings. */
function joined(parts: readonly unknown[]): Sql {
  const strings = ['']
  const values: unknown[] = []
  for (const part of parts) {
    if (part instanceof SqlRaw) strings[strings.length - 1] += part.text
    else {
      values.push(part)
      strings.push('')
    }
  }
  return new Sql(strings, values)
}

function insideBody(placeholder: Placeholder, where: string, statement: ScriptStatement): EtlError {
  return new EtlError(
    'ETL_ERR_STEP_PLACEHOLDER_INVALID',
    `${where}, statement at line ${statement.line}: placeholder ${placeholder.text} is inside a dollar-quoted body, which the database receives as text and cannot bind a value in; ` +
      `pass the value as an argument (\`call load_day(\${date})\`, \`select f(\${date})\`), use \${${placeholder.name}:ident} if it is a name, or write $\${…} for a literal`,
  )
}
