import { EtlError } from '../errors.js'
import { parseTemplate, placeholdersIn, type Placeholder } from './placeholder.js'
import type { PlaceholderValues } from './placeholder-values.js'
import type { ProgramExit, ProgramSpec } from './run-program.js'

/** The shell a `shell` command line runs in. */
const SHELL = '/bin/sh'

/** A command as declared: its placeholders not filled yet. */
export interface CommandDeclaration {
  readonly command: readonly string[] | string
  readonly shell: boolean
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string | undefined
}

/** Refuses a command that is empty, a string without `shell`, or a list with it; `where` names its owner. */
export function checkCommandShape(declaration: CommandDeclaration, where: string): void {
  const { command, shell } = declaration
  if (typeof command === 'string') {
    if (!shell) throw new EtlError('ETL_ERR_STEP_COMMAND_INVALID', `${where}: the command ${JSON.stringify(command)} is one string, which only a shell would split; give the program and its arguments as a list, or set shell to true`)
    if (command.trim() === '') throw new EtlError('ETL_ERR_STEP_COMMAND_INVALID', `${where}: the command is empty; give a command line`)
    return
  }
  if (shell) throw new EtlError('ETL_ERR_STEP_COMMAND_INVALID', `${where}: with shell set, the command is one command line (a string), not a list; join it, or unset shell`)
  if (command.length === 0 || command[0] === '') throw new EtlError('ETL_ERR_STEP_COMMAND_INVALID', `${where}: the command is empty; give the program, then its arguments`)
}

/** Every placeholder of a command, its environment and its folder; a SQL name (`:ident`) is refused. */
export function commandPlaceholders(declaration: CommandDeclaration, where: string): Placeholder[] {
  const { command, env, cwd } = declaration
  const texts = [...(typeof command === 'string' ? [command] : command), ...Object.values(env), ...(cwd === undefined ? [] : [cwd])]
  const found = texts.flatMap((text) => placeholdersIn(text, where))
  const ident = found.find((placeholder) => placeholder.modifier === 'ident')
  if (ident) throw new EtlError('ETL_ERR_STEP_PLACEHOLDER_INVALID', `${where}: placeholder ${ident.text} is a SQL name, which only SQL takes; write \${${ident.name}}`)
  return found
}

/**
 * The program to start, placeholders filled: each argument of a list as one word whatever its
 * value holds; in a shell command line, each value quoted as one word, so a value can never add
 * a command of its own.
 */
export function resolveCommand(declaration: CommandDeclaration, values: PlaceholderValues, where: string): ProgramSpec {
  checkCommandShape(declaration, where)
  values.check(commandPlaceholders(declaration, where))
  const fill = (text: string, quote: (value: string) => string = (value) => value) =>
    parseTemplate(text, where)
      .map((part) => (typeof part === 'string' ? part : quote(values.resolve(part).text)))
      .join('')
  const { command } = declaration
  const argv = typeof command === 'string' ? [SHELL, '-c', fill(command, shellQuote)] : command.map((arg) => fill(arg))
  const env = Object.fromEntries(Object.entries(declaration.env).map(([name, value]) => [name, fill(value)]))
  return { argv, env, ...(declaration.cwd === undefined ? {} : { cwd: fill(declaration.cwd) }) }
}

/** The error for a program that could not start. */
export function startFailure(declaration: CommandDeclaration, spec: ProgramSpec, where: string, error: unknown): EtlError {
  const code = (error as NodeJS.ErrnoException).code
  const cwd = spec.cwd ? ` in ${spec.cwd}` : ''
  return new EtlError(
    'ETL_ERR_STEP_COMMAND_FAILED',
    `${where}: cannot start \`${displayCommand(declaration.command)}\`${cwd}: ${code ?? (error as Error).message}; check the program's name, that it is on the PATH (or give its path) and executable${cwd ? ', and the working folder' : ''}`,
    { cause: error },
  )
}

/** The error for a program that ended with an exit code not in `okExitCodes`, with its last lines of output. */
export function exitFailure(declaration: CommandDeclaration, exit: ProgramExit, okExitCodes: readonly number[], where: string): EtlError {
  const how = exit.code === null ? `was killed by ${exit.signal}` : `exited with code ${exit.code} (success is ${okExitCodes.join(' or ')})`
  const tail = exit.tail.length ? `; its last ${exit.tail.length === 1 ? 'line' : `${exit.tail.length} lines`}:\n  ${exit.tail.join('\n  ')}` : '; it wrote nothing'
  return new EtlError('ETL_ERR_STEP_COMMAND_FAILED', `${where}: \`${displayCommand(declaration.command)}\` ${how}${tail}`)
}

/** The command as written (placeholders unfilled, so no value of a secret shows), for messages. */
export function displayCommand(command: readonly string[] | string): string {
  return typeof command === 'string' ? command : command.map((arg) => (/^[\w@%+=:,./${}-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ')
}

/** A value as one word of a shell command line, whatever it holds. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}
