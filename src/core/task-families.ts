import type { TaskClass } from './task.js'

/**
 * The task classes this process knows by family: those of every registry the CLI built from the task
 * module, and those handed to a `param.task()` in code. A range resolves its `of` here, as Luigi's
 * `TaskParameter` resolves through its register; the last class seen for a family wins.
 */
const known = new Map<string, TaskClass>()

/** Makes `cls` what `family` names from now on. */
export function rememberTaskClass(family: string, cls: TaskClass): void {
  known.set(family, cls)
}

/** The class `family` names, if the process has seen one. */
export function knownTaskClass(family: string): TaskClass | undefined {
  return known.get(family)
}

/** Every family the process knows, sorted, for messages. */
export function knownFamilies(): string[] {
  return [...known.keys()].sort()
}
