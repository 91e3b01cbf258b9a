import fs from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { EtlError } from '../errors.js'
import { TaskRegistry } from '../core/task-registry.js'
import { importTypeScript } from './import-typescript.js'

/** The module `etl` loads tasks from when `--module` is not given. */
export const DEFAULT_TASK_MODULE = 'tasks/index.ts'

const TYPESCRIPT = /\.[cm]?tsx?$/

/** A loaded task module: where it is, what it exports, and the task classes among its exports. */
export interface TaskModule {
  readonly file: string
  readonly exports: Readonly<Record<string, unknown>>
  readonly registry: TaskRegistry
}

/** The absolute path of the task module `--module` names (or the default one), as `loadTasks` loads it. */
export function resolveTaskModule(modulePath: string | undefined, cwd = process.cwd()): string {
  return path.resolve(cwd, modulePath ?? DEFAULT_TASK_MODULE)
}

/**
 * Imports a module of task classes (TypeScript is compiled on the fly, so there is no build step) and
 * registers every exported task class.
 */
export async function loadTasks(modulePath: string | undefined, cwd = process.cwd()): Promise<TaskRegistry> {
  return (await loadTaskModule(modulePath, cwd)).registry
}

/** {@link loadTasks}, keeping the module's other exports (a pipeline's sample data) too. */
export async function loadTaskModule(modulePath: string | undefined, cwd = process.cwd()): Promise<TaskModule> {
  const file = resolveTaskModule(modulePath, cwd)
  try {
    await fs.access(file)
  } catch {
    const fix = modulePath ? 'check the --module path' : `create ${DEFAULT_TASK_MODULE}, or pass --module <file>`
    throw new EtlError('ETL_ERR_TASK_MODULE', `task module ${file} does not exist; ${fix}`)
  }
  let exports: Record<string, unknown>
  try {
    exports = TYPESCRIPT.test(file) ? await importTypeScript(file) : ((await import(pathToFileURL(file).href)) as Record<string, unknown>)
  } catch (error) {
    // No fault of the module's: the folder its bundle goes to is not safe to use, and says why.
    if (error instanceof EtlError && error.code === 'ETL_ERR_LOCAL_FOLDER_UNSAFE') throw error
    throw new EtlError('ETL_ERR_TASK_MODULE', `cannot load task module ${file}: ${(error as Error).message}`, { cause: error })
  }
  return { file, exports, registry: TaskRegistry.fromModule(exports) }
}

/** True when `modulePath` (or the default module) is there to load. */
export async function taskModuleExists(modulePath: string | undefined, cwd = process.cwd()): Promise<boolean> {
  return fs.access(resolveTaskModule(modulePath, cwd)).then(
    () => true,
    () => false,
  )
}
