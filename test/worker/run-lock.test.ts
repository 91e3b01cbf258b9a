import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { acquireRunLock } from 'etl'
import { delayRunLockSteps } from '../../src/worker/run-lock.js'
import { tempDir } from '../helpers/sandbox.js'

/** A pid no process has: Linux pids stay below 2^22. */
const DEAD_PID = 2 ** 22 + 23
const ROUNDS = 40
const RACERS = 8
/** Every so many rounds, a run is killed mid-break first, so the racers also step over what it left. */
const CRASH_EVERY = 10
const BREAK_AND_DIE = fileURLToPath(new URL('../fixtures/break-and-die.ts', import.meta.url))

async function plantDeadHolder(file: string, round: number): Promise<void> {
  const dead = { pid: DEAD_PID, host: os.hostname(), startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, round)).toISOString(), key: 'race', execPath: process.execPath }
  await fs.writeFile(file, JSON.stringify(dead))
}

/** A run that claims the break of the dead holder's lock and is killed with SIGKILL right then. */
async function crashMidBreak(dir: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=etl-source', BREAK_AND_DIE, dir], { stdio: 'ignore' })
  await new Promise((resolve) => child.on('exit', resolve))
}

test('run-lock: 8 runs racing to break a dead holder\'s lock, some after a breaker was killed mid-break, let exactly one in and never remove its lock', async (t) => {
  const dir = await tempDir()
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const probe = await acquireRunLock('race', dir)
  if (!probe.acquired) return t.fail('the first acquire must succeed')
  const file = probe.lock.file
  // A run can be held up between any two steps (a busy machine deschedules it): each step waits a
  // random moment, so the rounds go through many orders of the racers' steps.
  delayRunLockSteps(() => new Promise((resolve) => setTimeout(resolve, Math.random() * 30)))
  t.teardown(() => delayRunLockSteps(undefined))
  for (let round = 0; round < ROUNDS; round++) {
    await plantDeadHolder(file, round)
    if (round % CRASH_EVERY === 0) {
      await crashMidBreak(dir)
      t.true((await fs.readdir(dir)).some((name) => name.includes('.break')), `round ${round}: the killed breaker left its claim`)
    }
    // Racers of one process: each sees the others' locks as live (their pid is alive), and their
    // file operations interleave in libuv's thread pool as separate runs' would.
    const results = await Promise.all(Array.from({ length: RACERS }, () => acquireRunLock('race', dir)))
    const winners = results.filter((result) => result.acquired)
    t.is(winners.length, 1, `round ${round}: exactly one run holds the lock`)
    const holder = JSON.parse(await fs.readFile(file, 'utf8').catch(() => '{}')) as { pid?: number }
    t.is(holder.pid, process.pid, `round ${round}: the lock the winner took is still there`)
    const left = (await fs.readdir(dir)).filter((name) => name !== path.basename(file))
    t.deepEqual(left, [], `round ${round}: breaking leaves nothing behind`)
    for (const winner of winners) if (winner.acquired) await winner.lock.release()
  }
})

test('run-lock: a run holding the lock is never released by another run of the same process', async (t) => {
  const dir = await tempDir()
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const first = await acquireRunLock('mine', dir)
  if (!first.acquired) return t.fail('the first acquire must succeed')
  await first.lock.release()
  const second = await acquireRunLock('mine', dir)
  if (!second.acquired) return t.fail('a released lock must be free')
  // A stale handle on the first lock (same pid, same file name) must not free the second run's.
  await first.lock.release()
  t.false((await acquireRunLock('mine', dir)).acquired)
})
