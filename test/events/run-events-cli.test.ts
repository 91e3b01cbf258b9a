import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import type { RunEvent } from 'etl'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'

const M = ['--module', fileURLToPath(new URL('../fixtures/tasks/hook-tasks.ts', import.meta.url))]

async function heard(cwd: string): Promise<RunEvent[]> {
  const text = await fs.readFile(path.join(cwd, 'events.jsonl'), 'utf8')
  return text.trim().split('\n').map((line) => JSON.parse(line) as RunEvent)
}

test('handlers a task module exports hear the run, and ones that throw change neither the exit code nor the summary', async (t) => {
  const cwd = await tempDir()
  const ok = await runCli(['run', 'Works', '--local-scheduler', ...M], cwd)
  t.is(ok.code, 0, ok.stderr)
  t.regex(ok.stdout, /exit code 0: the requested task is complete/)
  t.regex(ok.stderr, /event handler thrower failed on started of Works\(token=••••\): this handler always throws; the run goes on as it was/)
  t.regex(ok.stderr, /event handler rejecter failed on run_finished of Works\(token=••••\): this one rejects/)
  const events = await heard(cwd)
  t.deepEqual(
    events.map((event) => event.event),
    ['success', 'run_finished'],
  )
  t.is(events[1]!.exitCode, 0)
  t.regex(events[1]!.summary!, /===== etl execution summary =====[\s\S]*Ran 1 task/)
})

test('a failed run’s events carry its exit code and error, and never a secret', async (t) => {
  const cwd = await tempDir()
  const failed = await runCli(['run', 'Breaks', '--local-scheduler', ...M], cwd)
  t.is(failed.code, 3)
  const events = await heard(cwd)
  t.deepEqual(
    events.map((event) => event.event),
    ['failure', 'run_finished'],
  )
  t.is(events[0]!.error, 'the warehouse said no to ••••')
  t.deepEqual(events[0]!.task!.params, { token: '••••' })
  t.is(events[1]!.exitCode, 3)
  const everything = `${failed.stdout}${failed.stderr}${await fs.readFile(path.join(cwd, 'events.jsonl'), 'utf8')}`
  t.false(everything.includes('sk-breaks-secret-456'))
})
