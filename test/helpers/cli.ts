import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ETL_BIN = fileURLToPath(new URL('../../bin/etl.js', import.meta.url))
export const CLI_TASKS = fileURLToPath(new URL('../fixtures/tasks/cli-tasks.ts', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Starts the real `etl` binary (the built one, as a user runs it) in `cwd`. */
export function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [ETL_BIN, ...args], { cwd, env: { ...process.env, ...env, FORCE_COLOR: '0' } })
}

/** Runs `etl` to the end and collects its exit code and output. */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = startCli(args, cwd, env)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk) => (stdout += chunk))
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
