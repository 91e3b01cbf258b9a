import { spawn } from 'node:child_process'
import { redactText } from '../redact-text.js'

/** What a run of a task needs to start. */
export interface RunSpec {
  /** The command line before `run <Task> ...`, such as `[process.execPath, ".../bin/etl.js"]`. */
  command: readonly string[]
  task: string
  params: Readonly<Record<string, string | number | boolean>>
  workers?: number | undefined
  schedulerUrl: string
  /** Passed as `ETL_RUN_ID`: the worker's run in the daemon's history. */
  runId: string
  runLabel: string
}

/** A started run: its process id and how it ended. */
export interface LaunchedRun {
  pid: number | undefined
  exited: Promise<{ code: number | null; signal: string | null; outputTail: string; error?: string }>
}

export type RunLauncher = (spec: RunSpec) => LaunchedRun

/** Characters of a run's output kept for the history. */
const OUTPUT_TAIL_CHARS = 8000

/** The arguments after the command: `run <Task> --<param> <value>... [--workers N] --scheduler-url <url>`. */
export function runArguments(spec: RunSpec): string[] {
  const params = Object.entries(spec.params).flatMap(([name, value]) => [`--${name}`, String(value)])
  const workers = spec.workers === undefined ? [] : ['--workers', String(spec.workers)]
  return ['run', spec.task, ...params, ...workers, '--scheduler-url', spec.schedulerUrl]
}

/**
 * Starts a run as a child process of the daemon: `<command> run <Task> ...`, with `ETL_RUN_ID` and
 * `ETL_RUN_LABEL` set so its worker's calls are filed under the run. Its output is kept (the tail,
 * secrets masked) for the history.
 */
export function launchRun(spec: RunSpec): LaunchedRun {
  const [program, ...prefix] = spec.command
  if (!program) throw new Error('scheduler.runCommand is empty')
  const child = spawn(program, [...prefix, ...runArguments(spec)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ETL_RUN_ID: spec.runId, ETL_RUN_LABEL: spec.runLabel, ETL_SCHEDULER_URL: spec.schedulerUrl },
  })
  let tail = ''
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise<{ code: number | null; signal: string | null; outputTail: string; error?: string }>((resolve) => {
    let spawnError: string | undefined
    child.on('error', (error) => {
      spawnError = error.message
    })
    child.on('close', (code, signal) => {
      resolve({ code, signal, outputTail: redactText(tail), ...(spawnError ? { error: spawnError } : {}) })
    })
  })
  return { pid: child.pid, exited }
}
