/**
 * The last time the daemon started a process to rerun a task (the UI's rerun), as the task's page
 * shows it: whether it is still going, how it ended, and the end of its output.
 */
export interface TaskLaunch {
  /** The id of the launch in the daemon's list of scheduled and manual runs. */
  id: string
  /** The run its worker files its calls under (`ETL_RUN_ID`); the launch has registered once the daemon knows this run. */
  runId: string | undefined
  /** `running` from the start until the process ends, whether or not its worker has registered yet. */
  status: 'running' | 'succeeded' | 'failed'
  /** True when the task was DONE, so the launch removed its outputs (`etl invalidate`) before running it. */
  invalidateFirst: boolean
  startedAt: number | undefined
  endedAt?: number | undefined
  /** null when it ended by a signal or never started. */
  exitCode?: number | null | undefined
  /** How it ended, in words: `finished`, `the run step exited with code 5`, `could not start the run: ...`. */
  message?: string | undefined
  /** The last characters of its output, secrets masked. */
  outputTail?: string | undefined
}
