import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import test from 'ava'
import { isProcessAlive } from '../../src/util/process-alive.js'

/** Reads a process's state letter from /proc (Linux), or undefined once it is gone. */
function stateOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.charAt(stat.lastIndexOf(')') + 2)
  } catch {
    return undefined
  }
}

test('process-alive: a zombie, exited but not yet reaped by its parent, is not alive', async (t) => {
  if (process.platform !== 'linux') return t.pass('zombies are read from /proc, which only Linux has')
  // sh starts a short sleep, then becomes a long one that never waits for it: the short one turns zombie.
  const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] })
  t.teardown(() => parent.kill('SIGKILL'))
  const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk) => resolve(String(chunk)))))
  for (let waited = 0; stateOf(pid) !== 'Z' && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20))
  t.is(stateOf(pid), 'Z', 'the child is a zombie now')
  t.notThrows(() => process.kill(pid, 0), 'signal 0 still reaches it')
  t.false(isProcessAlive(pid))
})

test('process-alive: a pid that names a process group (0 or -1), or no integer, is no process', (t) => {
  t.false(isProcessAlive(0))
  t.false(isProcessAlive(-1))
  t.false(isProcessAlive(Number.NaN))
  t.false(isProcessAlive(1.5))
})

test('process-alive: a running process is alive, and one that has exited and been reaped is not', (t) => {
  t.true(isProcessAlive(process.pid))
  const done = spawnSync('true')
  t.false(isProcessAlive(done.pid!))
})
