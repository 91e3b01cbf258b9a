import fs from 'node:fs/promises'
import os from 'node:os'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { acquireRunLock } from 'etl'
import { CLI_TASKS, runCli, startCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'

const M = ['--module', CLI_TASKS]

/** Starts a long run and resolves once it holds the lock and is running its task. */
async function startLongRun(cwd: string) {
  const child = startCli(['run', 'Sleepy', '--ms', '30000', '--local-scheduler', ...M], cwd)
  await new Promise<void>((resolve, reject) => {
    let stderr = ''
    child.stderr!.on('data', (chunk) => {
      stderr += chunk
      if (stderr.includes('running Sleepy')) resolve()
    })
    child.on('exit', (code) => reject(new Error(`the long run exited early with ${code}: ${stderr}`)))
  })
  return child
}

test('lock: a second run of the same task exits at once with the already-running code, and --no-lock overrides it', async (t) => {
  const cwd = await tempDir()
  const first = await startLongRun(cwd)
  t.teardown(() => first.kill('SIGKILL'))
  const second = await runCli(['run', 'Sleepy', '--ms', '30000', '--local-scheduler', ...M], cwd)
  t.is(second.code, 6)
  t.regex(second.stderr, new RegExp(`Sleepy\\(label=nap, ms=30000\\) is already running \\(pid ${first.pid} on .*\\); wait for it to finish, or pass --no-lock`))
  const other = await runCli(['run', 'Sleepy', '--label', 'other', '--ms', '1', '--local-scheduler', ...M], cwd)
  t.is(other.code, 0, 'other parameters are another task, with its own lock')
  const forced = await runCli(['run', 'Hello', '--name', 'x', '--no-lock', '--local-scheduler', ...M], cwd)
  t.is(forced.code, 0)
})

test('lock: a run killed with SIGKILL never leaves the lock stuck', async (t) => {
  const cwd = await tempDir()
  const first = await startLongRun(cwd)
  first.kill('SIGKILL')
  await new Promise((resolve) => first.on('exit', resolve))
  // The same task (ms is not part of its id), quick this time.
  const next = await runCli(['run', 'Sleepy', '--ms', '1', '--local-scheduler', ...M], cwd)
  t.is(next.code, 0, next.stderr)
})

test('lock: acquire refuses a live holder, takes over a dead one, and release frees it', async (t) => {
  const dir = await tempDir()
  const held = await acquireRunLock('job-a', dir)
  if (!held.acquired) return t.fail('the first acquire must succeed')
  const refused = await acquireRunLock('job-a', dir)
  t.false(refused.acquired)
  await held.lock.release()
  const again = await acquireRunLock('job-a', dir)
  if (!again.acquired) return t.fail('a released lock must be free')
  // A holder whose process is gone (a pid no process has) no longer counts.
  const dead = { pid: 2 ** 22 + 17, host: os.hostname(), startedAt: new Date().toISOString(), key: 'job-a', execPath: process.execPath }
  await fs.writeFile(again.lock.file, JSON.stringify(dead))
  const takeover = await acquireRunLock('job-a', dir)
  t.true(takeover.acquired)
})

test('lock: many runs starting at once over a dead holder\'s lock let exactly one in', async (t) => {
  const dir = await tempDir()
  const first = await acquireRunLock('race', dir)
  if (!first.acquired) return t.fail('the first acquire must succeed')
  const dead = { pid: 2 ** 22 + 19, host: os.hostname(), startedAt: new Date().toISOString(), key: 'race', execPath: process.execPath }
  await fs.writeFile(first.lock.file, JSON.stringify(dead))
  const go = path.join(dir, 'go')
  const stop = path.join(dir, 'stop')
  const child = fileURLToPath(new URL('../fixtures/acquire-lock.ts', import.meta.url))
  const runs = Array.from({ length: 8 }, () => {
    const run = spawn(process.execPath, ['--import', 'tsx', '--conditions=etl-source', child, dir, go, stop])
    let stdout = ''
    const answered = new Promise<string>((resolve, reject) => {
      run.stdout.on('data', (chunk) => resolve((stdout += chunk)))
      run.on('exit', (code) => reject(new Error(`a racer exited with ${code} before answering`)))
    })
    return { run, answered }
  })
  t.teardown(() => runs.forEach(({ run }) => run.kill('SIGKILL')))
  await new Promise((resolve) => setTimeout(resolve, 1500))
  await fs.writeFile(go, '')
  const outputs = await Promise.all(runs.map(({ answered }) => answered))
  await fs.writeFile(stop, '')
  t.is(outputs.filter((out) => out === 'acquired').length, 1)
})

test('interrupt: Ctrl-C lets the running task stop, prints the summary, exits 130 and frees the lock for the rerun', async (t) => {
  const cwd = await tempDir()
  const run = await startLongRun(cwd)
  t.teardown(() => run.kill('SIGKILL'))
  let stdout = ''
  run.stdout!.on('data', (chunk) => (stdout += chunk))
  const exited = new Promise<number | null>((resolve) => run.on('exit', resolve))
  run.kill('SIGINT')
  t.is(await exited, 130)
  t.regex(stdout, /Failed: 1\n {2}✗ Sleepy\(label=nap, ms=30000\) .*\n +the run was interrupted/)
  t.regex(stdout, /exit code 130: the run was interrupted; run the same command again to resume/)
  const rerun = await runCli(['run', 'Sleepy', '--ms', '1', '--local-scheduler', ...M], cwd)
  t.is(rerun.code, 0, rerun.stdout + rerun.stderr)
})
