import { isSecretParameter } from '../core/secret-parameters.js'
import type { ParameterTexts, TaskRegistry } from '../core/task-registry.js'

/**
 * What to warn when secret parameters are given on the command line: it works, but any user of the
 * machine can read a process's arguments (`ps`, `/proc/<pid>/cmdline`) while it runs, and the shell
 * keeps them in its history. Undefined when none is.
 *
 * ```ts
 * secretArgumentsWarning(registry, 'Extract', { table: 'orders', password: 'hunter2' })
 * // '--password is a secret given on the command line, …; set it in the environment …'
 * ```
 */
export function secretArgumentsWarning(registry: TaskRegistry, family: string, texts: ParameterTexts): string | undefined {
  const given = registry.parameters(family).filter(([name, parameter]) => texts[name] !== undefined && isSecretParameter(family, name, parameter))
  if (given.length === 0) return undefined
  const flags = given.map(([name]) => `--${name}`).join(', ')
  const [name] = given[0]!
  const variable = `${family}_${name}`.replace(/[A-Z]/g, (letter, index: number) => (index ? `_${letter}` : letter)).toUpperCase().replace(/__+/g, '_')
  return (
    `${flags} ${given.length === 1 ? 'is a secret' : 'are secrets'} given on the command line, where other users of this machine can read ` +
    `${given.length === 1 ? 'it' : 'them'} (ps, /proc/<pid>/cmdline) and the shell's history keeps ${given.length === 1 ? 'it' : 'them'}; ` +
    `put the value in the environment and reference it from the config instead: "tasks": { "${family}": { "${name}": "\${${variable}}" } }`
  )
}
