/**
 * What a dialect's scripts may hold beyond standard SQL, so a script can be cut into statements
 * without cutting a procedure body, a string or a comment at one of its `;`.
 */
export interface ScriptSyntax {
  /** `$$ … $$` and `$tag$ … $tag$` bodies (Postgres, Redshift). */
  readonly dollarQuotes: boolean
  /** `` `name` `` identifiers (MySQL). */
  readonly backtickIdentifiers: boolean
  /** `"…"` is a string, not an identifier (MySQL without ANSI_QUOTES). */
  readonly doubleQuotedStrings: boolean
  /** `# comment` to the end of the line (MySQL). */
  readonly hashComments: boolean
  /** `\'` escapes a quote inside any string (MySQL's default mode; Postgres only in `E'…'`). */
  readonly backslashEscapes: boolean
}

/** Standard SQL plus Postgres' dollar quotes: Postgres, PGlite and Redshift scripts. */
export const STANDARD_SCRIPT_SYNTAX: ScriptSyntax = Object.freeze({
  dollarQuotes: true,
  backtickIdentifiers: false,
  doubleQuotedStrings: false,
  hashComments: false,
  backslashEscapes: false,
})

/**
 * A run of script text of one kind: `code` (what the database parses as SQL, procedure bodies of
 * compound statements included), a `string` literal, a quoted `identifier`, or a dollar-quoted
 * `body` (a `DO` block's or a function's source), each with its delimiters.
 */
export interface ScriptPiece {
  readonly kind: 'code' | 'string' | 'identifier' | 'body'
  readonly text: string
}

/** One statement of a script, without its final `;` and without comments. */
export interface ScriptStatement {
  readonly pieces: readonly ScriptPiece[]
  /** The statement's text, as sent to the database when it has no placeholders. */
  readonly text: string
  /** The line of the script it starts on, 1-based, for messages. */
  readonly line: number
}

/** `CREATE … PROCEDURE|FUNCTION|TRIGGER|EVENT` and MariaDB's `BEGIN NOT ATOMIC`: their `;` inside `BEGIN … END` do not end them. */
const COMPOUND_START = /^\s*(?:create\b[^;]*?\b(?:procedure|function|trigger|event)\b|begin\s+not\s+atomic\b)/i

/** After `END`, these words close a block that `END` alone does not (`END IF`, `END LOOP`, …). */
const END_SUFFIXES = new Set(['if', 'loop', 'while', 'repeat', 'for'])

/**
 * Cuts a script into statements at each `;` that is outside strings, quoted identifiers, comments,
 * dollar-quoted bodies and the `BEGIN … END` block of a compound statement, so a Postgres
 * `DO $$ … $$`, a `CREATE FUNCTION … AS $$ … $$`, a MySQL `CREATE PROCEDURE … BEGIN … END` and a
 * MariaDB `BEGIN NOT ATOMIC … END` each stay one statement, with no `DELIMITER` lines. Comments are
 * dropped (as the mysql client drops them), and empty statements too.
 *
 * Inside a compound statement, `BEGIN` and `CASE` open a block and `END` closes one (`END IF`,
 * `END LOOP`, `END WHILE`, `END REPEAT` close what they name, which is not counted): a column named
 * `end` or `begin` there must be quoted.
 */
export function splitScript(script: string, syntax: ScriptSyntax): ScriptStatement[] {
  return new ScriptSplitter(script, syntax).split()
}

class ScriptSplitter {
  readonly #script: string
  readonly #syntax: ScriptSyntax
  readonly #statements: ScriptStatement[] = []
  #pieces: ScriptPiece[] = []
  #code = ''
  #line = 1
  #startLine = 1
  #depth = 0
  #pendingEnd = false
  #position = 0

  constructor(script: string, syntax: ScriptSyntax) {
    this.#script = script
    this.#syntax = syntax
  }

  split(): ScriptStatement[] {
    const s = this.#script
    while (this.#position < s.length) {
      const char = s[this.#position]!
      const next = s[this.#position + 1]
      if (char === '-' && next === '-') this.#skipTo('\n', false)
      else if (char === '#' && this.#syntax.hashComments) this.#skipTo('\n', false)
      else if (char === '/' && next === '*') this.#skipTo('*/', true)
      else if (char === "'") this.#quoted("'", 'string', this.#syntax.backslashEscapes || this.#isEscapeString())
      else if (char === '"') this.#quoted('"', this.#syntax.doubleQuotedStrings ? 'string' : 'identifier', this.#syntax.doubleQuotedStrings && this.#syntax.backslashEscapes)
      else if (char === '`' && this.#syntax.backtickIdentifiers) this.#quoted('`', 'identifier', false)
      else if (char === '$' && this.#syntax.dollarQuotes && this.#dollarTag() !== undefined) this.#dollarBody(this.#dollarTag()!)
      else if (char === ';') this.#semicolon()
      else if (/[A-Za-z_]/.test(char)) this.#word()
      else this.#codeText(char)
    }
    this.#endStatement()
    return this.#statements
  }

  /** A comment: replaced by a space or a line break, so the words either side stay apart. */
  #skipTo(end: string, inclusive: boolean): void {
    const s = this.#script
    const found = s.indexOf(end, this.#position + 2)
    const stop = found < 0 ? s.length : inclusive ? found + end.length : found
    const lines = countLines(s.slice(this.#position, stop))
    this.#line += lines
    this.#position = stop
    this.#append('code', lines ? '\n' : ' ')
  }

  #quoted(quote: string, kind: 'string' | 'identifier', backslash: boolean): void {
    const s = this.#script
    let index = this.#position + 1
    while (index < s.length) {
      const char = s[index]!
      if (backslash && char === '\\') index += 2
      else if (char === quote && s[index + 1] === quote) index += 2
      else if (char === quote) break
      else index += 1
    }
    this.#take(kind, Math.min(index + 1, s.length))
  }

  /** `E'…'`: a Postgres string in which backslashes escape. */
  #isEscapeString(): boolean {
    if (!this.#syntax.dollarQuotes) return false
    const before = this.#script.slice(Math.max(0, this.#position - 2), this.#position)
    return /(?:^|[^A-Za-z0-9_])[eE]$/.test(before) || before === 'e' || before === 'E'
  }

  /** The tag of a dollar quote starting here (`$$` → '', `$body$` → 'body'), or undefined (`$1`, `${name}`). */
  #dollarTag(): string | undefined {
    const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(this.#script.slice(this.#position, this.#position + 65))
    if (!match) return undefined
    // `a$b$` is an identifier holding dollars, not a quote.
    if (this.#position > 0 && /[A-Za-z0-9_]/.test(this.#script[this.#position - 1]!)) return undefined
    return match[1] ?? ''
  }

  #dollarBody(tag: string): void {
    const delimiter = `$${tag}$`
    const close = this.#script.indexOf(delimiter, this.#position + delimiter.length)
    this.#take('body', close < 0 ? this.#script.length : close + delimiter.length)
  }

  #word(): void {
    const match = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(this.#script.slice(this.#position, this.#position + 256))!
    const word = match[0].toLowerCase()
    this.#take('code', this.#position + match[0].length)
    if (this.#pendingEnd) {
      this.#pendingEnd = false
      if (END_SUFFIXES.has(word)) return
      // `END CASE` closes the CASE it names; `END <label>` closes a block and the label is just a word.
      this.#depth -= 1
      if (word === 'case') return
    }
    if (word === 'begin' || word === 'case') this.#depth += 1
    else if (word === 'end') this.#pendingEnd = true
  }

  #semicolon(): void {
    if (this.#pendingEnd) {
      this.#pendingEnd = false
      this.#depth -= 1
    }
    if (this.#depth > 0 && COMPOUND_START.test(this.#code)) {
      this.#codeText(';')
      return
    }
    this.#position += 1
    this.#endStatement()
  }

  #codeText(char: string): void {
    if (char === '\n') this.#line += 1
    this.#position += 1
    this.#append('code', char)
  }

  /** Takes the script up to `end` as one piece of `kind`. */
  #take(kind: ScriptPiece['kind'], end: number): void {
    const text = this.#script.slice(this.#position, end)
    this.#line += countLines(text)
    this.#position = end
    this.#append(kind, text)
  }

  #append(kind: ScriptPiece['kind'], text: string): void {
    if (this.#pieces.length === 0 && kind === 'code' && text.trim() === '') {
      this.#startLine = this.#line
      return
    }
    if (kind === 'code') this.#code += text
    const last = this.#pieces.at(-1)
    if (last && last.kind === 'code' && kind === 'code') this.#pieces[this.#pieces.length - 1] = { kind, text: last.text + text }
    else this.#pieces.push({ kind, text })
  }

  #endStatement(): void {
    const pieces = trimPieces(this.#pieces)
    if (pieces.length) this.#statements.push({ pieces, text: pieces.map((piece) => piece.text).join(''), line: this.#startLine })
    this.#pieces = []
    this.#code = ''
    this.#depth = 0
    this.#pendingEnd = false
    this.#startLine = this.#line
  }
}

function countLines(text: string): number {
  let lines = 0
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) lines += 1
  return lines
}

/** The pieces without the white space that leads and trails the statement. */
function trimPieces(pieces: readonly ScriptPiece[]): ScriptPiece[] {
  const trimmed = [...pieces]
  const first = trimmed[0]
  if (first?.kind === 'code') trimmed[0] = { kind: 'code', text: first.text.trimStart() }
  const last = trimmed.at(-1)
  if (last?.kind === 'code') trimmed[trimmed.length - 1] = { kind: 'code', text: last.text.trimEnd() }
  return trimmed.filter((piece) => piece.text !== '')
}
