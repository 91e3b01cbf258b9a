import { closestMatch } from '../util/closest-match.js'
import type { FollowUp, StepDefinition } from './job-definition.js'
import { followUpAction, stepAction, type EntryPlace } from './job-actions.js'
import { jobInvalid, shapeError } from './job-error.js'
import { followUpSchema, parallelSchema, stepSchema, type FollowUpEntry, type StepEntry } from './job-schema.js'

/** Names a step cannot take: they are the run-time values a follow-up reads (`${result.x}`, `${error.message}`). */
const RESERVED_STEP_NAMES: ReadonlySet<string> = new Set(['result', 'error'])

const STEP_FIELDS = Object.keys(stepSchema.shape)
const FOLLOW_UP_FIELDS = Object.keys(followUpSchema.shape)

/** Where the steps are, for messages and paths. */
export type StepsPlace = Omit<EntryPlace, 'at'>

/**
 * The steps of a job file, validated: each entry's shape, what it runs, its follow-ups; every
 * name unique; every `requires` naming a step, with no cycle. A step without `requires` requires
 * the entry before it (the step, or every step of a `parallel` group); `requires: []` makes it
 * start at once. The steps of a group require what the group would.
 */
export function jobSteps(items: readonly unknown[], place: StepsPlace): StepDefinition[] {
  const steps: StepDefinition[] = []
  let before: string[] = []
  items.forEach((item, index) => {
    if (item !== null && typeof item === 'object' && 'parallel' in item) {
      const at = `steps[${index}] (a parallel group)`
      const parsed = parallelSchema.safeParse(item)
      if (!parsed.success) throw shapeError(place.file, at, item, parsed.error.issues, ['parallel'])
      const group = parsed.data.parallel.map((member, position) => stepOf(member, `steps[${index}].parallel[${position}]`, before, place))
      steps.push(...group)
      before = group.map((step) => step.name)
    } else {
      const step = stepOf(item, `steps[${index}]`, before, place)
      steps.push(step)
      before = [step.name]
    }
  })
  checkNames(steps, place)
  checkCycles(steps, place)
  return steps
}

/** The follow-ups of a step or of the job (one, or a list run in order), validated. */
export function followUpsOf(given: unknown, at: string, field: string, place: StepsPlace): FollowUp[] {
  if (given === undefined) return []
  const list: readonly unknown[] = Array.isArray(given) ? given : [given]
  return list.map((raw, index) => {
    const where = `${at}, ${field}${Array.isArray(given) ? `[${index}]` : ''}`
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw jobInvalid(place.file, where, '(top level)', raw, 'a follow-up is a mapping: {"command": […]}, {"sql": …}, {"sqlFile": …} or {"job": "other.yaml"}')
    }
    const parsed = followUpSchema.safeParse(raw)
    if (!parsed.success) throw shapeError(place.file, where, raw, parsed.error.issues, FOLLOW_UP_FIELDS)
    return followUpAction(parsed.data as FollowUpEntry, { ...place, at: where })
  })
}

function stepOf(raw: unknown, where: string, before: readonly string[], place: StepsPlace): StepDefinition {
  const name = (raw as { name?: unknown } | null)?.name
  const at = typeof name === 'string' ? `step "${name}"` : `${where} (a step)`
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw jobInvalid(place.file, at, '(top level)', raw, 'a step is a mapping: {"name": …, "command": […]} or {"name": …, "sql": …}')
  const parsed = stepSchema.safeParse(raw)
  if (!parsed.success) throw shapeError(place.file, at, raw, parsed.error.issues, STEP_FIELDS)
  const entry: StepEntry = parsed.data
  if (RESERVED_STEP_NAMES.has(entry.name)) throw jobInvalid(place.file, at, 'name', entry.name, `"${entry.name}" is what follow-ups read their own run-time values under (\${result.x}, \${error.message}); rename the step`)
  const entryPlace = { ...place, at }
  return {
    name: entry.name,
    description: entry.description,
    action: stepAction(entry, entryPlace),
    requires: entry.requires ?? [...before],
    retries: entry.retries,
    retryDelayMs: entry.retryDelay,
    timeoutMs: entry.timeout,
    priority: entry.priority ?? 0,
    resources: entry.resources ?? {},
    onSuccess: followUpsOf(entry.onSuccess, at, 'onSuccess', place),
    onError: followUpsOf(entry.onError, at, 'onError', place),
  }
}

function checkNames(steps: readonly StepDefinition[], place: StepsPlace): void {
  const names = new Set<string>()
  for (const step of steps) {
    if (names.has(step.name)) throw jobInvalid(place.file, `step "${step.name}"`, 'name', step.name, 'another step has this name; give each step its own')
    names.add(step.name)
  }
  const known = [...names]
  for (const step of steps) {
    for (const required of step.requires) {
      if (required === step.name) throw jobInvalid(place.file, `step "${step.name}"`, 'requires', required, 'a step cannot require itself; remove it')
      if (!names.has(required)) {
        const close = closestMatch(required, known)
        throw jobInvalid(place.file, `step "${step.name}"`, 'requires', required, `there is no such step${close ? ` (did you mean "${close}"?)` : ''}; the steps are ${known.join(', ')}`)
      }
    }
  }
}

/** Refuses a cycle, naming it: `a requires b, b requires c, c requires a`. */
function checkCycles(steps: readonly StepDefinition[], place: StepsPlace): void {
  const byName = new Map(steps.map((step) => [step.name, step]))
  const state = new Map<string, 'visiting' | 'done'>()
  const trail: string[] = []
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name]
      const path = cycle.slice(0, -1).map((from, index) => `"${from}" requires "${cycle[index + 1]}"`).join(', ')
      throw jobInvalid(place.file, `step "${name}"`, 'requires', byName.get(name)!.requires, `the steps require each other in a cycle (${path}); remove one of these requirements`)
    }
    state.set(name, 'visiting')
    trail.push(name)
    for (const required of byName.get(name)!.requires) visit(required)
    trail.pop()
    state.set(name, 'done')
  }
  for (const step of steps) visit(step.name)
}
