import type { Parameter } from '../../core/parameter.js'
import { SECRET_MASK } from '../../core/secret-mask.js'
import { isSecretParameter, mayBeSecret } from '../../core/secret-parameters.js'
import type { TaskRegistry } from '../../core/task-registry.js'

/** `etl list`: every registered task with its parameters, types and defaults; a secret's default is never shown. */
export function listCommand(registry: TaskRegistry): string {
  const lines: string[] = []
  for (const family of registry.families()) {
    const cls = registry.require(family)
    lines.push(cls.description ? `${family}  ${cls.description}` : family)
    for (const [name, parameter] of registry.parameters(family)) {
      const fallback = parameter.hasDefault ? ` = ${mayBeSecret(name, parameter) ? SECRET_MASK : parameter.serialize(parameter.defaultValue)}` : ' (required)'
      const about = parameter.description ? `  ${parameter.description}` : ''
      lines.push(`  --${name} <${parameter.typeName}>${fallback}${marks(family, name, parameter)}${about}`)
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : 'No tasks: the task module exports no Task classes.\n'
}

function marks(family: string, name: string, parameter: Parameter<unknown>): string {
  if (parameter.secret) return ' [secret: not part of the id, never shown]'
  if (isSecretParameter(family, name, parameter)) return ' [secret: its config value comes from ${ENV}; not part of the id, never shown]'
  return parameter.significant ? '' : ' [not part of the id]'
}
