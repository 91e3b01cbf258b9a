import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { EtlError, jobTasks, loadJob, type ErrorCode, type TaskLike } from 'etl'
import { tempDir } from '../helpers/sandbox.js'

/** Writes a job folder (file name → content) and returns the path of `job.yaml` in it. */
async function jobFolder(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('etl-job-')
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true })
    await fs.writeFile(path.join(dir, name), content)
  }
  return path.join(dir, Object.keys(files)[0]!)
}

function refused(t: import('ava').ExecutionContext, file: string, code: ErrorCode, message: RegExp): void {
  const error = t.throws(() => loadJob(file), { instanceOf: EtlError })
  t.is((error as EtlError).code, code)
  t.regex(error!.message, message)
}

const VALID = `
name: Nightly
params:
  day: { type: date, default: "2024-01-31" }
steps:
  - name: extract
    command: [echo, "\${day}"]
  - parallel:
      - name: stage-a
        sql: "select \${day} as d"
      - name: stage-b
        sqlFile: sql/stage.sql
  - name: publish
    command: [echo, "\${stage-a.d}"]
    requires: [stage-a, stage-b]
`

test('load-job: a valid job becomes a wrapper and one task per step, each step requiring the entry before it', async (t) => {
  const file = await jobFolder({ 'job.yaml': VALID.replace('${stage-a.d}', '${extract.exitCode}').replace('requires: [stage-a, stage-b]', 'requires: [extract]'), 'sql/stage.sql': 'select 1;' })
  const job = loadJob(file)
  t.deepEqual(
    job.steps.map((step) => [step.name, step.requires]),
    [
      ['extract', []],
      ['stage-a', ['extract']],
      ['stage-b', ['extract']],
      ['publish', ['extract']],
    ],
  )
  const { root, steps } = jobTasks(job)
  t.is(root.family, 'Nightly')
  t.deepEqual([...steps.values()].map((cls) => cls.family), ['Nightly.extract', 'Nightly.stage-a', 'Nightly.stage-b', 'Nightly.publish'])
  const task = new root({})
  t.deepEqual((task.requires() as TaskLike[]).map((required) => required.family).sort(), ['Nightly.publish', 'Nightly.stage-a', 'Nightly.stage-b'])
})

test('load-job: a missing job file, or one that does not parse, is refused with its name and the fix', async (t) => {
  const dir = await tempDir()
  refused(t, path.join(dir, 'nope.yaml'), 'ETL_ERR_JOB_UNREADABLE', /job file .*nope\.yaml: it does not exist; check the path \(etl run --job/)
  const broken = await jobFolder({ 'job.json': '{"name": "X", "steps": [' })
  refused(t, broken, 'ETL_ERR_JOB_UNREADABLE', /job file .*job\.json is not valid JSON: .*; fix it/)
  const yaml = await jobFolder({ 'job.yaml': 'steps:\n  - name: a\n   command: [x]\n' })
  refused(t, yaml, 'ETL_ERR_JOB_UNREADABLE', /job file .*job\.yaml is not valid YAML: /)
})

test('load-job: an unknown field is refused with the step, the field and the closest known one', async (t) => {
  const file = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    command: [echo]\n    requirs: []\n' })
  refused(t, file, 'ETL_ERR_JOB_INVALID', /job\.yaml: step "a", field requirs: not a field here \(did you mean "requires"\?\); remove it, or use one of name, description, command/)
  const top = await jobFolder({ 'job.yaml': 'name: J\nstep: []\n' })
  refused(t, top, 'ETL_ERR_JOB_INVALID', /the job, field step: not a field here \(did you mean "steps"\?\)/)
  const followUp = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    command: [echo]\n    onError: { comand: [echo] }\n' })
  refused(t, followUp, 'ETL_ERR_JOB_INVALID', /step "a", onError, field comand: not a field here \(did you mean "command"\?\)/)
})

test('load-job: a step that requires an unknown step is refused with the steps there are', async (t) => {
  const file = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: extract\n    command: [echo]\n  - name: load\n    command: [echo]\n    requires: [extrac]\n' })
  refused(t, file, 'ETL_ERR_JOB_INVALID', /step "load", field requires: "extrac" is not valid; there is no such step \(did you mean "extract"\?\); the steps are extract, load/)
})

test('load-job: steps that require each other in a cycle are refused, naming the cycle', async (t) => {
  const file = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    command: [echo]\n    requires: [c]\n  - name: b\n    command: [echo]\n    requires: [a]\n  - name: c\n    command: [echo]\n    requires: [b]\n' })
  refused(t, file, 'ETL_ERR_JOB_INVALID', /field requires: .* is not valid; the steps require each other in a cycle \("a" requires "c", "c" requires "b", "b" requires "a"\); remove one of these requirements/)
})

test('load-job: a step with both a command and SQL, or with neither, is refused', async (t) => {
  const both = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    command: [echo]\n    sql: select 1\n' })
  refused(t, both, 'ETL_ERR_JOB_INVALID', /step "a", field sql: "select 1" is not valid; a step runs one thing, and "command" is given too; keep "command" or "sql", not both/)
  const neither = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    retries: 2\n' })
  refused(t, neither, 'ETL_ERR_JOB_INVALID', /step "a", field command: .* a step runs something: give "command" \(the program and its arguments\), "sql" or "sqlFile"/)
  const sqlOption = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    command: [echo]\n    connection: source\n' })
  refused(t, sqlOption, 'ETL_ERR_JOB_INVALID', /step "a", field connection: "source" is not valid; it does not apply to a command; remove it/)
})

test('load-job: a missing SQL file, vars file or follow-up job is refused with the path it was looked for at', async (t) => {
  const sqlFile = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    sqlFile: sql/missing.sql\n' })
  refused(t, sqlFile, 'ETL_ERR_JOB_INVALID', /step "a", field sqlFile: "sql\/missing\.sql" is not valid; there is no such file \(.*missing\.sql, nor a variant such as missing\.postgres\.sql\); paths are relative to the job file's folder/)
  const vars = await jobFolder({ 'job.yaml': 'name: J\nvars: nope.yaml\nsteps:\n  - name: a\n    command: [echo]\n' })
  refused(t, vars, 'ETL_ERR_JOB_INVALID', /the job, field vars: "nope\.yaml" is not valid; cannot read the vars file .*nope\.yaml: ENOENT/)
  const job = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    command: [echo]\n    onSuccess: { job: next.yaml }\n' })
  refused(t, job, 'ETL_ERR_JOB_INVALID', /step "a", onSuccess, field job: "next\.yaml" is not valid; there is no such file/)
})

test('load-job: a follow-up job is validated with the job, and two jobs may name each other', async (t) => {
  const bad = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    command: [echo]\n    onError: { job: other.yaml }\n', 'other.yaml': 'name: Other\nsteps:\n  - name: b\n    command: "echo hi"\n' })
  refused(t, bad, 'ETL_ERR_JOB_INVALID', /job\.yaml names the follow-up job .*other\.yaml, which is refused: .*other\.yaml: step "b", field command: "echo hi" is not valid; one string would need a shell/)
  const mutual = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    command: [echo]\n    onSuccess: { job: other.yaml }\n', 'other.yaml': 'name: Other\nsteps:\n  - name: b\n    command: [echo]\n    onError: { job: job.yaml }\n' })
  t.is(loadJob(mutual).name, 'J')
})

test('load-job: bad values are refused with the field and what is expected', async (t) => {
  const cases: [string, RegExp][] = [
    ['  - name: a\n    command: [echo]\n    timeout: 30\n', /step "a", field timeout: 30 is not valid; expected a duration, a number with a unit: 500ms, 30s, 5m, 2h, 1d/],
    ['  - name: a\n    command: [echo]\n    retries: -1\n', /step "a", field retries: -1 is not valid; expected a whole number of 0 or more/],
    ['  - name: a b\n    command: [echo]\n', /step "a b", field name: "a b" is not valid; expected a letter, then letters, digits, _ or -/],
    ['  - name: a\n    command: [echo]\n  - name: a\n    command: [echo]\n', /step "a", field name: "a" is not valid; another step has this name/],
    ['  - name: result\n    command: [echo]\n', /step "result", field name: "result" is not valid; "result" is what follow-ups read/],
    ['  - name: a\n    command: "ls -l"\n', /step "a", field command: "ls -l" is not valid; one string would need a shell to split it; give the program and its arguments as a list, or add "shell": true/],
    ['  - parallel: []\n', /steps\[0\] \(a parallel group\), field parallel: \[\] is not valid; expected at least one step/],
  ]
  for (const [steps, message] of cases) refused(t, await jobFolder({ 'job.yaml': `name: J\nsteps:\n${steps}` }), 'ETL_ERR_JOB_INVALID', message)
})

test('load-job: an unresolved placeholder is refused before anything runs, with the step, the field and where values come from', async (t) => {
  const command = await jobFolder({ 'job.yaml': 'name: J\nparams:\n  day: "2024-01-01"\nsteps:\n  - name: a\n    command: [echo, "${dya}"]\n' })
  refused(t, command, 'ETL_ERR_STEP_PLACEHOLDER_UNRESOLVED', /job\.yaml: step "a", field command: placeholder \$\{dya\} has no value: it is not a parameter \(parameters: day\), not in the vars \(no vars file given/)
  const sql = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    command: [echo]\n  - name: b\n    sqlFile: b.sql\n', 'b.sql': '-- ${ignored} in a comment\nselect ${a.rows} as n, ${c.rows} as m;\n' })
  refused(t, sql, 'ETL_ERR_STEP_PLACEHOLDER_UNRESOLVED', /step "b", field sqlFile \(.*b\.sql\): placeholder \$\{c\.rows\} has no value: .*upstream: a\)/)
  const malformed = await jobFolder({ 'job.yaml': 'name: J\nsteps:\n  - name: a\n    command: [echo, "${x:upper}"]\n' })
  refused(t, malformed, 'ETL_ERR_STEP_PLACEHOLDER_INVALID', /placeholder "\$\{x:upper\}" is malformed: ":upper" is not a modifier/)
})

test('load-job: values from vars files fill placeholders, the command line\'s before the job\'s own', async (t) => {
  const file = await jobFolder({ 'job.yaml': 'name: J\nvars: [defaults.yaml]\nsteps:\n  - name: a\n    command: [echo, "${db.host}", "${schema}"]\n', 'defaults.yaml': 'db:\n  host: from-job\nschema: staging\n' })
  const job = loadJob(file, { vars: { values: { db: { host: 'from-cli' } }, files: ['cli.yaml'] } })
  t.deepEqual(job.vars.values, { db: { host: 'from-cli' }, schema: 'staging' })
  t.deepEqual(job.vars.files.map((name) => path.basename(name)), ['cli.yaml', 'defaults.yaml'])
})
