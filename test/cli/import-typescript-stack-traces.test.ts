import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test, { type ExecutionContext } from 'ava'
import { startSchedulerDaemon } from 'etl'
import { runCli, type CliResult } from '../helpers/cli.js'
import { waitFor } from '../helpers/daemon-helpers.js'
import { tempDir } from '../helpers/sandbox.js'

const TASKS = fileURLToPath(new URL('../fixtures/tasks/stack-trace-tasks.ts', import.meta.url))
const HELPER = fileURLToPath(new URL('../fixtures/tasks/stack-trace-helper.ts', import.meta.url))
const FIRST_LINE = fileURLToPath(new URL('../fixtures/tasks/stack-trace-first-line.ts', import.meta.url))

/** Any file esbuild's bundle could be written as: `<pid>-<random>.mjs`. */
const BUNDLE_NAME = /\.mjs\b/

/**
 * `file:line:column` of the line marked `known line: <marker>`, the column being where `expression`
 * starts: what a stack frame there reads. Found, not hard-coded, so the fixture can be edited.
 */
async function knownLine(file: string, marker: string, expression: string): Promise<string> {
  const lines = (await fs.readFile(file, 'utf8')).split('\n')
  const index = lines.findIndex((line) => line.includes(`known line: ${marker}`))
  if (index < 0) throw new Error(`${file} has no line marked ${marker}`)
  return `${file}:${index + 1}:${lines[index]!.indexOf(expression) + 1}`
}

/** A folder of its own, removed after the test. */
async function folder(t: ExecutionContext): Promise<string> {
  const dir = await tempDir('etl-stacks-')
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  return dir
}

/**
 * Runs `etl run <task>` on the fixture from `cwd`, with `tmp` as the temp folder (and no
 * XDG_RUNTIME_DIR): the bundle cache lives there, so the first run of a test is never served from
 * another test's cache.
 */
function runFixture(task: string, cwd: string, tmp: string, extra: string[] = ['--local-scheduler']): Promise<CliResult> {
  return runCli(['run', task, '--module', TASKS, ...extra], cwd, { TMPDIR: tmp, XDG_RUNTIME_DIR: '' })
}

/** The one cached bundle under `tmp` and when it was written. */
async function cachedBundle(tmp: string): Promise<{ file: string; mtimeMs: number }> {
  const dir = path.join(tmp, `etl-${process.getuid!()}`, 'bundle-cache')
  const entries = await fs.readdir(dir)
  if (entries.length !== 1) throw new Error(`expected one cached bundle, found ${entries.join(', ')}`)
  const file = path.join(dir, entries[0]!)
  return { file, mtimeMs: (await fs.stat(file)).mtimeMs }
}

test("import-typescript: a task that throws shows the user's file and line in its log, not the temporary bundle, also from the bundle cache", async (t) => {
  const tmp = await folder(t)
  const frame = `at ThrowsInRun.run (${await knownLine(TASKS, 'run', 'new Error')})`

  const first = await runFixture('ThrowsInRun', await folder(t), tmp)
  t.is(first.code, 3, first.stderr)
  t.true(first.stderr.includes(frame), first.stderr)
  t.notRegex(first.stdout + first.stderr, BUNDLE_NAME)
  const cached = await cachedBundle(tmp)

  // Another working folder: the map's paths must not depend on where the bundle was built from.
  const second = await runFixture('ThrowsInRun', await folder(t), tmp)
  t.is(second.code, 3, second.stderr)
  t.deepEqual(await cachedBundle(tmp), cached, 'the second run used the cached bundle')
  t.true(second.stderr.includes(frame), second.stderr)
  t.notRegex(second.stdout + second.stderr, BUNDLE_NAME)
})

test("import-typescript: a throw in a file the task module imports names that file's line and the caller's", async (t) => {
  const tmp = await folder(t)
  const result = await runFixture('ThrowsInHelper', await folder(t), tmp)
  t.is(result.code, 3, result.stderr)
  t.true(result.stderr.includes(`at refuseConnection (${await knownLine(HELPER, 'helper', 'new Error')})`), result.stderr)
  t.true(result.stderr.includes(`at ThrowsInHelper.run (${await knownLine(TASKS, 'caller', 'refuseConnection')})`), result.stderr)
  t.notRegex(result.stdout + result.stderr, BUNDLE_NAME)
})

test("import-typescript: a throw on a module's first line names its line and column, and import.meta there is that file's", async (t) => {
  const tmp = await folder(t)
  const result = await runFixture('ThrowsOnLineOne', await folder(t), tmp)
  t.is(result.code, 3, result.stderr)
  t.true(result.stderr.includes('thrown from stack-trace-first-line.ts'), result.stderr)
  t.true(result.stderr.includes(`at failOnLineOne (${await knownLine(FIRST_LINE, 'first', 'new Error')})`), result.stderr)
})

test("import-typescript: the error a worker sends to the central scheduler, shown in the UI and kept in the run history, names the user's file and line", async (t) => {
  const tmp = await folder(t)
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: await folder(t), history: { type: 'embedded' } })
  t.teardown(() => daemon.close())
  const frame = `at ThrowsInRun.run (${await knownLine(TASKS, 'run', 'new Error')})`

  const result = await runFixture('ThrowsInRun', await folder(t), tmp, ['--scheduler-url', daemon.url])
  t.is(result.code, 3, result.stderr)

  const get = async <T>(route: string): Promise<T> => (await (await fetch(`${daemon.url}${route}`)).json()) as T
  const { tasks } = await get<{ tasks: { id: string; family: string }[] }>('/api/ui/tasks')
  const id = tasks.find((task) => task.family === 'ThrowsInRun')!.id
  const { task } = await get<{ task: { error: { stack: string }; log: { message: string }[] } }>(`/api/ui/tasks/${id}`)
  t.true(task.error.stack.includes(frame), task.error.stack)
  t.notRegex(task.error.stack, BUNDLE_NAME)
  t.true(task.log.some((line) => line.message.includes(frame)), 'the task log shipped to the daemon')

  const { runs } = await waitFor(async () => {
    const listed = await get<{ runs: { id: string; endedAt?: number | null }[] }>('/api/ui/runs')
    return listed.runs[0]?.endedAt ? listed : undefined
  }, 10_000)
  const { attempts } = await get<{ attempts: { error?: { stack?: string } }[] }>(`/api/ui/runs/${runs[0]!.id}`)
  const stack = attempts.find((attempt) => attempt.error)?.error?.stack ?? ''
  t.true(stack.includes(frame), stack)
  t.notRegex(stack, BUNDLE_NAME)
})
