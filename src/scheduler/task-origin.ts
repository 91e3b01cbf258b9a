/**
 * Where a worker loaded its tasks from, as it tells the scheduler when it registers them: enough for
 * the daemon to start `etl run` for one of them again, in the same folder with the same module.
 */
export interface TaskOrigin {
  /** The task module, absolute (what `--module`, or the default `tasks/index.ts`, resolved to). */
  module: string
  /** The worker's working folder, absolute: relative marker folders and `etl.config.json` are found from it. */
  cwd: string
  /** The config file given with `--config`, absolute; absent when the worker used the default lookup. */
  config?: string
}
