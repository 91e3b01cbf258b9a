import { Parameter } from '../parameter.js'
import { rememberTaskClass } from '../task-families.js'
import { familyOf, type TaskClass } from '../task.js'
import { TASK_BRAND } from '../task-like.js'

/** A task family by name, or (in code) the task class itself. */
export type TaskFamily = string | (abstract new (...args: any[]) => unknown)

/**
 * A task family: its name on the command line (`--of LoadDay`), the class itself in code. The value is
 * always the family's name; a class given in code is remembered, so the name finds it again.
 */
export class TaskFamilyParameter<D extends boolean = boolean> extends Parameter<TaskFamily, D> {
  get typeName(): string {
    return 'task'
  }

  get expected(): string {
    return 'a task family such as LoadDay'
  }

  parse(text: string): string {
    const trimmed = text.trim()
    if (trimmed === '') throw new Error(`expected ${this.expected}`)
    return trimmed
  }

  protected override check(value: unknown): string {
    if (typeof value !== 'function' || (value.prototype as Record<PropertyKey, unknown> | undefined)?.[TASK_BRAND] !== true) {
      throw new Error(`expected ${this.expected}, or the task class`)
    }
    const family = familyOf(value as TaskClass)
    rememberTaskClass(family, value as TaskClass)
    return family
  }
}
