import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { runArguments } from './run-arguments.js'

export { runArguments } from './run-arguments.js'

/** What a run of a task needs to start. */
export interface RunSpec {
  /** The command line before `run <Task> ...`, such as `[process.execPath, ".../bin/etl.js"]`. */
  command: readonly string[]
  /**
   * `run` builds the task; `invalidate` removes its outputs (the first step of a DONE task's rerun);
   * `backfill` runs one instance per step of `backfill.interval`. @defaultValue 'run'
   */
  step?: 'run' | 'invalidate' | 'backfill' | undefined
  /** What `etl backfill` steps through, for the `backfill` step. */
  backfill?: BackfillArguments | undefined
  task: string
  params: Readonly<Record<string, string | number | boolean>>
  workers?: number | undefined
  schedulerUrl: string
  /** Passed as `ETL_RUN_ID`: the worker's run in the daemon's history. */
  runId: string
  runLabel: string
  /** The folder the process starts in. @defaultValue the daemon's own */
  cwd?: string | undefined
  /** Passed as `--module`. @defaultValue none: the CLI's own default, `tasks/index.ts` in `cwd` */
  module?: string | undefined
  /** Passed as `--config`. @defaultValue none: `etl.config.json` in `cwd`, if there is one */
  config?: string | undefined
}

/** The arguments of `etl backfill` besides the task's other parameters. */
export interface BackfillArguments {
  /** The date or datetime parameter given the interval. */
  param: string
  interval: string
  every?: string | undefined
  order?: 'oldest' | 'newest' | undefined
}

/** How a started run ended. */
export interface RunExit {
  code: number | null
  signal: string | null
  outputTail: string
  /** Why the process could not be started, when it could not. */
  error?: string
  /** The step of a rerun it ended in (the schedule runner sets it; a launcher need not). */
  step?: 'run' | 'invalidate' | 'backfill'
}

/** A started run: its process id and how it ended. */
export interface LaunchedRun {
  pid: number | undefined
  /**
   * Settles once the operating system has started the process (or refused to: a missing program, no
   * permission). A launcher without it is taken to have started the process when it returns.
   */
  spawned?: Promise<void>
  exited: Promise<RunExit>
}

export type RunLauncher = (spec: RunSpec) => LaunchedRun

/** Characters of a run's output kept for the history. */
export const OUTPUT_TAIL_CHARS = 8000

/**
 * Starts a run as a child process of the daemon: `<command> run <Task> ...` in `spec.cwd`, with
 * `ETL_RUN_ID` and `ETL_RUN_LABEL` set so its worker's calls are filed under the run. Its output is
 * kept (the tail) for the history; the schedule runner masks its secrets. Throws when the process cannot be started at all.
 */
export function launchRun(spec: RunSpec, env: Readonly<Record<string, string>> = {}): LaunchedRun {
  const [program, ...prefix] = spec.command
  if (!program) throw new Error('scheduler.runCommand is empty')
  if (spec.cwd !== undefined) checkFolder(spec.cwd)
  const child = spawn(program, [...prefix, ...runArguments(spec)], {
    ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, ETL_RUN_ID: spec.runId, ETL_RUN_LABEL: spec.runLabel, ETL_SCHEDULER_URL: spec.schedulerUrl },
  })
  let tail = ''
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
  // Whoever asks gets the rejection; nobody asking is not an unhandled one.
  spawned.catch(() => {})
  const exited = new Promise<RunExit>((resolve) => {
    let spawnError: string | undefined
    child.on('error', (error) => {
      spawnError = error.message
    })
    child.on('close', (code, signal) => {
      resolve({ code, signal, outputTail: tail, ...(spawnError ? { error: spawnError } : {}) })
    })
  })
  return { pid: child.pid, spawned, exited }
}

/** A missing folder would surface as the program's ENOENT, which sends people looking for node. */
function checkFolder(cwd: string): void {
  let isFolder = false
  try {
    isFolder = fs.statSync(cwd).isDirectory()
  } catch {
    // reported below
  }
  if (!isFolder) {
    throw new Error(`the folder ${cwd} it should start in does not exist (or is not a folder); start the task with etl run by hand from where its project is now`)
  }
}
