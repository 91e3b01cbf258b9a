import type { Argv } from 'yargs'
import type { TaskRegistry, ParameterTexts } from '../core/task-registry.js'
import { BoolParameter } from '../core/parameters/bool-parameter.js'
import { SECRET_MASK } from '../core/secret-mask.js'
import { mayBeSecret } from '../core/secret-parameters.js'

/**
 * Declares a task's parameters as options of a command, so strict mode knows them and
 * `etl <command> <Task> --help` shows what the task is and takes.
 */
export function declareTaskOptions<T>(yargs: Argv<T>, command: string, registry: TaskRegistry | undefined, family: unknown): Argv<T> {
  if (!registry || typeof family !== 'string' || !registry.get(family)) return yargs
  const parameters = registry.parameters(family)
  const about = registry.require(family).description
  const takes = parameters.length ? `${family}'s parameters are listed below.` : `${family} takes no parameters.`
  yargs.usage(`$0 ${command} ${family}${parameters.length ? ' [parameters]' : ''} [options]\n\n${about ? `${family}: ${about}. ` : ''}${takes}`)
  for (const [name, parameter] of parameters) {
    // Before the config is read nothing says where a value comes from: a name that may be a secret keeps its default to itself.
    const defaultText = parameter.hasDefault ? `; default ${mayBeSecret(name, parameter) ? SECRET_MASK : parameter.serialize(parameter.defaultValue)}` : ''
    yargs.option(name, {
      type: parameter instanceof BoolParameter ? 'boolean' : 'string',
      describe: `${parameter.description ?? ''} (${parameter.typeName}${defaultText})`.trim(),
      group: `${family} parameters:`,
    })
  }
  return yargs
}

/** The task parameters among parsed arguments: everything that is not a known command option. */
export function taskTexts(argv: Record<string, unknown>, commandOptions: ReadonlySet<string>): ParameterTexts {
  const texts: Record<string, string | boolean> = {}
  for (const [key, value] of Object.entries(argv)) {
    if (key === '_' || key === '$0' || commandOptions.has(key) || value === undefined) continue
    texts[key] = typeof value === 'boolean' ? value : String(value)
  }
  return texts
}
