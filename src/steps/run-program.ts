import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import type { Readable } from 'node:stream'
import type { Logger } from 'pino'

/** What to start: a program and its arguments, already resolved. */
export interface ProgramSpec {
  /** The program, then its arguments; no shell sees them. */
  readonly argv: readonly string[]
  /** Variables added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
}

export interface RunProgramOptions {
  /** Aborting it kills the program's whole process group. */
  readonly signal: AbortSignal
  /** Each line of stdout (info) and stderr (warn) goes here, with `stream` set. */
  readonly log: Logger
  /** The last lines of output kept for the error message. @defaultValue 20 */
  readonly tailLines?: number
  /** How long after SIGTERM the group gets SIGKILL. @defaultValue 5000 */
  readonly killGraceMs?: number
}

/** How a program ended. */
export interface ProgramExit {
  /** Its exit code, or null when a signal ended it. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** Its last lines of stdout and stderr, in the order they came. */
  readonly tail: readonly string[]
  /** The `name=value` lines it wrote to the file named by `$ETL_OUTPUT`. */
  readonly outputs: Readonly<Record<string, string>>
  readonly durationMs: number
}

/** The environment variable naming the file a program writes `name=value` lines to, as its results. */
export const OUTPUT_ENV = 'ETL_OUTPUT'

/** Process groups still running, killed if this process exits first: they would outlive it otherwise. */
const running = new Set<number>()
let exitHookInstalled = false

/**
 * Runs a program in its own process group and waits for it: every line it writes is logged as it
 * comes, the last lines are kept, and when `signal` aborts (a timeout, Ctrl-C) the whole group —
 * the program and every process it started — gets SIGTERM, then SIGKILL after `killGraceMs`, as
 * Luigi's ExternalProgramTask kills its program. Rejects only when the program cannot be started.
 */
export async function runProgram(spec: ProgramSpec, options: RunProgramOptions): Promise<ProgramExit> {
  const started = Date.now()
  const outputFile = path.join(os.tmpdir(), `etl-output-${process.pid}-${randomBytes(6).toString('hex')}`)
  await fs.writeFile(outputFile, '', { flag: 'wx', mode: 0o600 })
  try {
    const exit = await spawnAndWait(spec, options, outputFile)
    return { ...exit, outputs: await readOutputs(outputFile), durationMs: Date.now() - started }
  } finally {
    await fs.rm(outputFile, { force: true })
  }
}

function spawnAndWait(spec: ProgramSpec, options: RunProgramOptions, outputFile: string): Promise<Omit<ProgramExit, 'outputs' | 'durationMs'>> {
  options.signal.throwIfAborted()
  const [file, ...args] = spec.argv
  const tail = new Tail(options.tailLines ?? 20)
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env, [OUTPUT_ENV]: outputFile },
      // Its own process group, so a kill reaches what it started too (a shell's children, a pipeline).
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let killTimer: NodeJS.Timeout | undefined
    const kill = () => {
      if (child.pid === undefined) return
      options.log.warn({ pid: child.pid }, `stopping the program and every process it started (${describeReason(options.signal.reason)})`)
      killGroup(child.pid, 'SIGTERM')
      killTimer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), options.killGraceMs ?? 5000)
      killTimer.unref()
    }
    options.signal.addEventListener('abort', kill, { once: true })
    if (child.pid !== undefined) track(child.pid)
    const lines = [stream(child.stdout, 'stdout', options.log, tail), stream(child.stderr, 'stderr', options.log, tail)]
    child.once('error', (error) => {
      options.signal.removeEventListener('abort', kill)
      reject(error)
    })
    child.once('close', (code, signal) => {
      options.signal.removeEventListener('abort', kill)
      if (child.pid !== undefined) running.delete(child.pid)
      // A process the program left behind in its group is not waited for, but is stopped with the rest.
      if (killTimer) killGroup(child.pid!, 'SIGKILL')
      clearTimeout(killTimer)
      void Promise.all(lines).then(() => resolve({ code, signal, tail: tail.lines }))
    })
  })
}

function stream(input: Readable, name: 'stdout' | 'stderr', log: Logger, tail: Tail): Promise<void> {
  const reader = readline.createInterface({ input, crlfDelay: Infinity })
  reader.on('line', (line) => {
    tail.push(line)
    if (name === 'stdout') log.info({ stream: name }, line)
    else log.warn({ stream: name }, line)
  })
  return new Promise((resolve) => reader.once('close', resolve))
}

/** Signals a whole process group; one that has already gone is no error. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: every process of the group has ended.
  }
}

function track(pid: number): void {
  running.add(pid)
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const group of running) killGroup(group, 'SIGKILL')
  })
}

async function readOutputs(file: string): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {}
  const text = await fs.readFile(file, 'utf8').catch(() => '')
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line)
    if (match) outputs[match[1]!] = match[2]!
  }
  return outputs
}

function describeReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : 'cancelled'
}

/** The last `size` lines, kept in a ring. */
class Tail {
  readonly #size: number
  readonly #lines: string[] = []

  constructor(size: number) {
    this.#size = size
  }

  push(line: string): void {
    this.#lines.push(line.length > 1000 ? `${line.slice(0, 1000)}…` : line)
    if (this.#lines.length > this.#size) this.#lines.shift()
  }

  get lines(): readonly string[] {
    return [...this.#lines]
  }
}
