import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The fixtures folder of the daemon's tests. */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'daemon')

/** Node arguments that run a TypeScript file of this package, as ava does. */
export const TS_NODE_ARGS = ['--import', 'tsx', '--conditions=etl-source']

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `etl-${prefix}-`))
}

/** A port free right now (the test binds it again a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo
      server.close(() => resolve(address.port))
    })
  })
}

/** A child process running a fixture, with its output kept for failure messages. */
export interface FixtureProcess {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

export function runFixture(file: string, args: string[], env: NodeJS.ProcessEnv = {}): FixtureProcess {
  const child = spawn(process.execPath, [...TS_NODE_ARGS, path.join(FIXTURES, file), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

/** Starts the daemon fixture and resolves with its URL once it listens. */
export async function startDaemonProcess(args: string[]): Promise<FixtureProcess & { url: string }> {
  const fixture = runFixture('daemon.ts', args)
  const url = await waitFor(() => fixture.output().match(/READY (\S+)/)?.[1], 30_000, () => `the daemon did not start:\n${fixture.output()}`)
  return { ...fixture, url }
}

/** Polls until `probe` gives a value (not undefined/false), or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, message: () => string = () => 'timed out'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(message())
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Reads the fixture tasks' run log: how often each task started, and any two runs of one task that overlapped. */
export async function readRunLog(file: string): Promise<{ starts: Map<string, number>; overlaps: string[]; lines: number }> {
  const text = await fs.readFile(file, 'utf8').catch(() => '')
  const starts = new Map<string, number>()
  const open = new Map<string, number>()
  const overlaps: string[] = []
  let lines = 0
  for (const line of text.split('\n')) {
    if (!line) continue
    lines += 1
    const [what, id] = line.split(' ') as [string, string]
    if (what === 'start') {
      starts.set(id, (starts.get(id) ?? 0) + 1)
      if ((open.get(id) ?? 0) > 0) overlaps.push(id)
      open.set(id, (open.get(id) ?? 0) + 1)
    } else {
      open.set(id, (open.get(id) ?? 1) - 1)
    }
  }
  return { starts, overlaps, lines }
}
