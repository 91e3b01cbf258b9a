import { z } from 'zod'
import { DURATION_SYNTAX, parseDuration } from '../util/duration.js'

/** A job's or a step's name: it becomes a task family (`<Job>.<step>`), a folder name and a CLI word. */
export const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/
const NAME_RULE = 'a letter, then letters, digits, _ or -, at most 63 long'

const name = z.string({ error: `expected a name: ${NAME_RULE}` }).regex(NAME, `expected ${NAME_RULE}`)
const text = z.string({ error: 'expected text' }).min(1, 'expected non-empty text')
const duration = z
  .string({ error: `expected a duration, ${DURATION_SYNTAX}` })
  .refine((value) => parseDuration(value) !== undefined, `expected a duration, ${DURATION_SYNTAX}`)
  .transform((value) => parseDuration(value)!)
const wholeNumber = z.number({ error: 'expected a whole number of 0 or more' }).int('expected a whole number of 0 or more').min(0, 'expected a whole number of 0 or more')
const command = z.union([text, z.array(z.string({ error: 'expected text' }), { error: 'expected a list of the program and its arguments' }).min(1, 'expected the program, then its arguments')], {
  error: 'expected a list of the program and its arguments, or one command line with "shell": true',
})
const sqlText = z.union([text, z.array(text).min(1, 'expected at least one statement')], { error: 'expected SQL text, or a list of statements' })
const env = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'), z.string({ error: 'expected text (quote numbers)' }), {
  error: 'expected a mapping of variable names to text',
})

/** What a command runs with: shared by steps and follow-ups. */
const commandFields = {
  command: command.optional(),
  shell: z.boolean({ error: 'expected true or false' }).optional(),
  env: env.optional(),
  cwd: text.optional(),
  okExitCodes: z.array(z.number().int('expected whole numbers'), { error: 'expected a list of exit codes, such as [0, 1]' }).min(1, 'expected at least one exit code').optional(),
  timeout: duration.optional(),
}

/** What SQL runs with: shared by steps and follow-ups. */
const sqlFields = {
  sql: sqlText.optional(),
  sqlFile: text.optional(),
  connection: name.optional(),
  transaction: z.boolean({ error: 'expected true or false' }).optional(),
}

/** A follow-up: a command, SQL, or a whole other job file, run after a step (or the job) succeeds or fails. */
export const followUpSchema = z.strictObject({
  name: text.optional(),
  ...commandFields,
  ...sqlFields,
  job: text.optional(),
})

/** Follow-ups are checked one by one (`followUpsOf`), so a mistake in one is reported where it is. */
const followUps = z.unknown()

/** One step of a job. */
export const stepSchema = z.strictObject({
  name,
  description: text.optional(),
  ...commandFields,
  ...sqlFields,
  requires: z.array(name, { error: 'expected a list of step names' }).optional(),
  retries: wholeNumber.optional(),
  retryDelay: duration.optional(),
  priority: z.number({ error: 'expected a number' }).int('expected a whole number').optional(),
  resources: z.record(name, wholeNumber, { error: 'expected a mapping of resource names to whole numbers' }).optional(),
  onSuccess: followUps.optional(),
  onError: followUps.optional(),
})

/** Steps that may run together: each requires what the group requires, and what follows requires them all. */
export const parallelSchema = z.strictObject({
  parallel: z.array(z.unknown(), { error: 'expected a list of steps' }).min(1, 'expected at least one step'),
})

/** The parameter types a job may declare. */
export const PARAM_TYPES = ['string', 'int', 'float', 'bool', 'date', 'secret'] as const

const paramDeclaration = z.union(
  [
    z.union([z.string(), z.number(), z.boolean()]),
    z.strictObject({
      type: z.enum(PARAM_TYPES, { error: `expected one of ${PARAM_TYPES.join(', ')}` }).default('string'),
      default: z.union([z.string(), z.number(), z.boolean()]).optional(),
      description: text.optional(),
    }),
  ],
  { error: `expected a default value, or {"type": ${PARAM_TYPES.join('|')}, "default": …, "description": …}` },
)

/** A job file. */
export const jobSchema = z.strictObject({
  name: name.optional(),
  description: text.optional(),
  params: z.record(z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'expected a camelCase parameter name'), paramDeclaration, { error: 'expected a mapping of parameter names to defaults or declarations' }).optional(),
  vars: z.union([text, z.array(text)], { error: 'expected a vars file, or a list of them' }).optional(),
  connection: name.optional(),
  steps: z.array(z.unknown(), { error: 'expected a list of steps' }).min(1, 'expected at least one step'),
  onSuccess: followUps.optional(),
  onError: followUps.optional(),
})

export type JobFile = z.infer<typeof jobSchema>
export type StepEntry = z.infer<typeof stepSchema>
export type FollowUpEntry = z.infer<typeof followUpSchema>
