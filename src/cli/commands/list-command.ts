import type { TaskRegistry } from '../../core/task-registry.js'

/** `etl list`: every registered task with its parameters, types and defaults. */
export function listCommand(registry: TaskRegistry): string {
  const lines: string[] = []
  for (const family of registry.families()) {
    const cls = registry.require(family)
    lines.push(cls.description ? `${family}  ${cls.description}` : family)
    for (const [name, parameter] of registry.parameters(family)) {
      const fallback = parameter.hasDefault ? ` = ${parameter.serialize(parameter.defaultValue)}` : ' (required)'
      const insignificant = parameter.significant ? '' : ' [not part of the id]'
      const about = parameter.description ? `  ${parameter.description}` : ''
      lines.push(`  --${name} <${parameter.typeName}>${fallback}${insignificant}${about}`)
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : 'No tasks: the task module exports no Task classes.\n'
}
