import path from 'node:path'
import type { TaskOrigin } from '../scheduler/task-origin.js'
import type { GlobalOptions } from './cli-environment.js'
import { resolveTaskModule } from './load-tasks.js'

/**
 * Where this `etl` process loads its tasks from, for the workers it starts to tell the daemon: the
 * module as `--module` resolves, the working folder, and the `--config` file when one was given.
 */
export function taskOrigin(options: Pick<GlobalOptions, 'module' | 'config'>, cwd = process.cwd()): TaskOrigin {
  const origin: TaskOrigin = { module: resolveTaskModule(options.module, cwd), cwd }
  if (options.config) origin.config = path.resolve(cwd, options.config)
  return origin
}
