import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { DataServices, EtlError, build, jobTasks, loadJob, type FollowUpHooks, type JobTasks, type TaskLike } from 'etl'
import { tempDir, uniqueTag, useTempLayout } from '../helpers/sandbox.js'
import { taskContext } from '../helpers/task-context.js'
import { WAREHOUSES } from '../helpers/warehouses.js'

const EXAMPLE = fileURLToPath(new URL('../../jobs/examples/support-load.yaml', import.meta.url))

test.before(async () => {
  await useTempLayout()
})

/** Writes a job folder (file name → content); returns the first file's path. */
async function jobFolder(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('etl-job-')
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true })
    await fs.writeFile(path.join(dir, name), content)
  }
  return path.join(dir, Object.keys(files)[0]!)
}

function embedded(): DataServices {
  return new DataServices({ connections: { warehouse: { dialect: 'pglite', path: 'memory://' } } })
}

function step(tasks: JobTasks, name: string, params: Record<string, unknown>): TaskLike & FollowUpHooks {
  return new (tasks.steps.get(name)!)(params) as unknown as TaskLike & FollowUpHooks
}

test('job-tasks: the example job runs conditions → staging (two loads side by side) → DW on the embedded warehouse, passing values between steps', async (t) => {
  const exports = await tempDir()
  await fs.writeFile(path.join(exports, 'cases.csv'), 'id\n1\n')
  await fs.writeFile(path.join(exports, 'analysts.csv'), 'id\n1\n')
  const tasks = jobTasks(loadJob(EXAMPLE))
  const data = embedded()
  try {
    const summary = await build(new tasks.root({ exportDir: exports }), { data, workers: 2 })
    t.is(summary.outcome, 'ok', JSON.stringify(summary.failed))
    t.deepEqual(summary.ran.map((line) => line.family).slice(0, 2), ['SupportLoad.conditions', 'SupportLoad.create-staging'])
    t.like(summary.ran.find((line) => line.family === 'SupportLoad.conditions')!.result, { files: '2', exitCode: 0 })
    t.like(summary.ran.find((line) => line.family === 'SupportLoad.build-dw')!.result, { facts: '3' })
    const warehouse = await data.database('warehouse')
    t.deepEqual((await warehouse.query('select export_dir, files from stg_loads')).rows, [{ export_dir: exports, files: 2 }])
    t.is((await warehouse.query('select * from dw_case_facts')).rows.length, 3)
    // The job's follow-up after the DW step: its own result, bound.
    await step(tasks, 'build-dw', { exportDir: exports }).onSuccess(taskContext({ data }), { facts: '3' })
    t.deepEqual((await warehouse.query('select built from stg_loads')).rows, [{ built: 3 }])
    const again = await build(new tasks.root({ exportDir: exports }), { data })
    t.is(again.ran.length, 0, 'every step is complete: nothing runs twice')
  } finally {
    await data.close()
  }
})

for (const dialect of ['mariadb', 'postgres']) {
  test(`job-tasks: ${dialect}: the example job builds the DW with its dialect's variant of the SQL (an anonymous block on Postgres, a stored procedure on MariaDB)`, async (t) => {
    const exports = await tempDir()
    await fs.writeFile(path.join(exports, 'cases.csv'), 'id\n1\n')
    const tasks = jobTasks(loadJob(EXAMPLE))
    const warehouse = await WAREHOUSES[dialect]!()
    try {
      const summary = await build(new tasks.root({ exportDir: exports }), { data: warehouse.data })
      t.is(summary.outcome, 'ok', JSON.stringify(summary.failed))
      const facts = await warehouse.db.query('select priority, cases from dw_case_facts order by created_on, priority')
      t.deepEqual(facts.rows.map((row) => [row.priority, Number(row.cases)]), [['P1', 1], ['P2', 1], ['P1', 1]])
      t.deepEqual((await warehouse.db.query('select files from stg_loads')).rows.map((row) => Number(row.files)), [1])
    } finally {
      await warehouse.drop()
    }
  })
}

test('job-tasks: a step that fails stops the steps after it, and the rerun after the fix runs only those', async (t) => {
  const dir = await tempDir()
  const file = await jobFolder({
    'job.yaml': `name: Resume${uniqueTag()}
params:
  flag: { type: string }
steps:
  - name: first
    command: [sh, -c, 'echo run >> "$0/first.log"', '${dir}']
  - name: second
    command: [sh, -c, 'test -f "$0"', '\${flag}']
  - name: third
    command: [sh, -c, 'echo run >> "$0/third.log"', '${dir}']
`,
  })
  const tasks = jobTasks(loadJob(file))
  const flag = path.join(dir, 'flag')
  const failed = await build(new tasks.root({ flag }))
  t.is(failed.outcome, 'task-failed')
  t.deepEqual(failed.failed.map((line) => line.family.split('.')[1]), ['second'])
  t.regex(failed.failed[0]!.error!, /`sh -c "test -f \\"\$0\\"" \$\{flag\}` exited with code 1/)
  await fs.writeFile(flag, '')
  const fixed = await build(new tasks.root({ flag }))
  t.is(fixed.outcome, 'ok')
  t.deepEqual(fixed.ran.map((line) => line.family.split('.')[1]).filter(Boolean), ['second', 'third'])
  t.is(await fs.readFile(path.join(dir, 'first.log'), 'utf8'), 'run\n')
})

test('job-tasks: a step\'s onError follow-up runs with the error, then the job\'s; onSuccess gets the result', async (t) => {
  const dir = await tempDir()
  const file = await jobFolder({
    'job.yaml': `name: FollowUps
vars: vars.yaml
steps:
  - name: load
    command: [sh, -c, 'exit 2']
    onError:
      - command: [sh, -c, 'printf "%s" "$1" > "$0/step-error.txt"', '${dir}', '\${error.message}']
      - sql: insert into alerts (note) values (\${error.message})
    onSuccess:
      command: [sh, -c, 'printf "%s %s" "$1" "$2" > "$0/success.txt"', '${dir}', '\${result.rows}', '\${channel}']
onError:
  command: [sh, -c, 'echo job >> "$0/job-error.txt"', '${dir}']
`,
    'vars.yaml': 'channel: ops\n',
  })
  const tasks = jobTasks(loadJob(file))
  const data = embedded()
  try {
    const warehouse = await data.database('warehouse')
    await warehouse.query('create table alerts (note text)')
    const load = step(tasks, 'load', {})
    await load.onFailure(taskContext({ data }), new EtlError('ETL_ERR_STEP_COMMAND_FAILED', 'FollowUps.load(): `sh -c "exit 2"` exited with code 2\nmore detail'))
    t.is(await fs.readFile(path.join(dir, 'step-error.txt'), 'utf8'), 'FollowUps.load(): `sh -c "exit 2"` exited with code 2')
    t.deepEqual((await warehouse.query('select note from alerts')).rows.map((row) => row.note), ['FollowUps.load(): `sh -c "exit 2"` exited with code 2'])
    t.is(await fs.readFile(path.join(dir, 'job-error.txt'), 'utf8'), 'job\n')
    await load.onSuccess(taskContext({ data }), { rows: 12 })
    t.is(await fs.readFile(path.join(dir, 'success.txt'), 'utf8'), '12 ops')
  } finally {
    await data.close()
  }
})

test('job-tasks: a follow-up that fails says which task it followed and why; a job never starts itself again', async (t) => {
  const file = await jobFolder({
    'job.yaml': `name: Loops
steps:
  - name: wait
    command: [sh, -c, 'exit 1']
    onError: [{ name: notify, command: [sh, -c, 'echo cannot reach the queue >&2; exit 4'] }]
  - name: again
    command: [sh, -c, 'exit 1']
    onError: { job: job.yaml }
`,
  })
  const tasks = jobTasks(loadJob(file))
  const error = await t.throwsAsync(async () => step(tasks, 'wait', {}).onFailure!(taskContext(), new Error('x')))
  t.is((error as EtlError).code, 'ETL_ERR_JOB_FOLLOW_UP_FAILED')
  t.regex(error!.message, /^Loops\.wait\(\): follow-up notify failed: Loops\.wait\(\): follow-up notify: `sh -c "echo cannot reach the queue >&2; exit 4"` exited with code 4 \(success is 0\); its last line:\n {2}cannot reach the queue$/)
  const loop = await t.throwsAsync(async () => step(tasks, 'again', {}).onFailure!(taskContext(), new Error('x')))
  t.regex(loop!.message, /follow-up job .*job\.yaml is already running .* and a job does not start itself again; to try a step again, give it "retries" and "retryDelay"/)
})

test('job-tasks: a follow-up job runs whole, with the parameters it shares with the job it follows', async (t) => {
  const dir = await tempDir()
  const file = await jobFolder({
    'job.yaml': `name: Staging${uniqueTag()}
params:
  day: { type: date }
steps:
  - name: stage
    command: [echo, staged]
    onSuccess: { job: dw.yaml }
`,
    'dw.yaml': `name: Dw${uniqueTag()}
params:
  day: { type: date }
  folder: "${dir}"
steps:
  - name: facts
    command: [sh, -c, 'echo "facts $1" > "$0/dw.txt"', '\${folder}', '\${day}']
`,
  })
  const tasks = jobTasks(loadJob(file))
  await step(tasks, 'stage', { day: '2024-02-01' }).onSuccess(taskContext(), { exitCode: 0 })
  t.is(await fs.readFile(path.join(dir, 'dw.txt'), 'utf8'), 'facts 2024-02-01\n')
})

test('job-tasks: a step retried waits its retryDelay between tries, and a SQL step takes its connection as a parameter', async (t) => {
  const dir = await tempDir()
  const file = await jobFolder({
    'job.yaml': `name: Retried${uniqueTag()}
steps:
  - name: flaky
    command: [sh, -c, 'echo try >> "$0/tries"; test $(wc -l < "$0/tries") -ge 3', '${dir}']
    retries: 2
    retryDelay: 50ms
  - name: count
    sql: select 1 as one
    connection: warehouse
`,
  })
  const tasks = jobTasks(loadJob(file))
  const data = embedded()
  try {
    const summary = await build(new tasks.root({}), { data })
    t.is(summary.outcome, 'ok', JSON.stringify(summary.failed))
    t.is((await fs.readFile(path.join(dir, 'tries'), 'utf8')).split('\n').filter(Boolean).length, 3)
    const count = summary.ran.find((line) => line.family.endsWith('.count'))!
    t.regex(count.label, /\(connection=warehouse\)/)
    t.like(count.result, { one: 1 })
  } finally {
    await data.close()
  }
})
