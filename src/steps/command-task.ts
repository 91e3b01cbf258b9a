import { EtlError } from '../errors.js'
import type { TaskResult } from '../core/output-marker.js'
import type { ParamSpec } from '../core/param.js'
import type { CompletionContext, TaskContext } from '../core/task-context.js'
import { ABSTRACT_TASK } from '../core/task-like.js'
import { Task, withParams, type TaskClassWith } from '../core/task.js'
import { checkCommandShape, commandPlaceholders, exitFailure, resolveCommand, startFailure, type CommandDeclaration } from './command-line.js'
import { PlaceholderValues } from './placeholder-values.js'
import { runProgram, type ProgramExit } from './run-program.js'
import { runTimeScope, staticScope } from './step-scope.js'
import { getStepVariables, secretVariableTexts, type StepVariables } from './step-variables.js'

/**
 * A task that runs a program, as Luigi's `ExternalProgramTask` does: `command()` gives the program
 * and its arguments (an array: no shell sees them; a command line only with `shell = true`), with
 * `${name}` placeholders filled from the task's parameters, the `--vars` files, then the values
 * the tasks it requires returned (`${step.field}`). Every line the program writes goes to the
 * task's log; an exit code not in `okExitCodes` fails the task with the last lines of output in the
 * error. A timeout (`timeoutMs`) or a cancelled run stops the program and every process it started.
 *
 * The program may write `name=value` lines to the file `$ETL_OUTPUT` names: they become the task's
 * result, which a task that requires it reads as `${<Family>.name}`.
 *
 * ```ts
 * export class DumpOrders extends CommandTask.with({ day: param.date() }) {
 *   override command() {
 *     return ['pg_dump', '--table', 'orders_${day}', '--file', 'dumps/${day}.sql']
 *   }
 *   override timeoutMs = 10 * 60_000
 * }
 * ```
 */
export class CommandTask<S extends ParamSpec = {}> extends Task<S> {
  /** Run `command()` (then one string) with `/bin/sh -c`, for pipes and redirections. @defaultValue false */
  shell = false
  /** The working folder. @defaultValue the current one */
  cwd: string | undefined = undefined
  /** Exit codes that mean success. @defaultValue [0] */
  okExitCodes: readonly number[] = [0]
  /** Lines of output the error of a failed run ends with. @defaultValue 20 */
  tailLines = 20
  /** How long a stopped program has between SIGTERM and SIGKILL. @defaultValue 5000 */
  killGraceMs = 5000

  static override with<const S extends ParamSpec>(spec: S): TaskClassWith<S, CommandTask<S>> {
    return withParams(this, spec) as unknown as TaskClassWith<S, CommandTask<S>>
  }

  /** The program and its arguments; with `shell`, one command line. */
  command(): readonly string[] | string {
    throw new EtlError('ETL_ERR_STEP_COMMAND_INVALID', `${this} is a CommandTask without a command; override command() to return the program and its arguments`)
  }

  /** Variables added to the environment the program inherits; values may hold placeholders. @defaultValue none */
  env(): Readonly<Record<string, string>> {
    return {}
  }

  /** The resource values placeholders look in after the parameters. @defaultValue those of `etl run --vars` */
  variables(): StepVariables {
    return getStepVariables()
  }

  /** Resource values named like secrets are masked wherever the worker writes. */
  override get secretValues(): string[] {
    return [...super.secretValues, ...secretVariableTexts(this.variables())]
  }

  /**
   * Checks, unless the task is complete already, that the command is well formed and that each of
   * its placeholders can have a value: the graph is checked before anything runs.
   */
  override async complete(ctx?: CompletionContext): Promise<boolean> {
    if (await super.complete(ctx)) return true
    this.checkCommand()
    return false
  }

  /** The command's shape and placeholders, refused before anything runs. */
  checkCommand(): void {
    const declaration = this.#declaration()
    checkCommandShape(declaration, String(this))
    new PlaceholderValues(staticScope(this, this.variables())).check(commandPlaceholders(declaration, String(this)))
  }

  override async run(ctx: TaskContext): Promise<TaskResult> {
    const declaration = this.#declaration()
    const where = String(this)
    const spec = resolveCommand(declaration, new PlaceholderValues(await runTimeScope(this, this.variables())), where)
    let exit: ProgramExit
    try {
      exit = await runProgram(spec, { signal: ctx.signal, log: ctx.log, tailLines: this.tailLines, killGraceMs: this.killGraceMs })
    } catch (error) {
      throw startFailure(declaration, spec, where, error)
    }
    ctx.signal.throwIfAborted()
    if (exit.code === null || !this.okExitCodes.includes(exit.code)) throw exitFailure(declaration, exit, this.okExitCodes, where)
    return { ...exit.outputs, exitCode: exit.code }
  }

  #declaration(): CommandDeclaration {
    return { command: this.command(), shell: this.shell, env: this.env(), cwd: this.cwd }
  }
}
Object.defineProperty(CommandTask, ABSTRACT_TASK, { value: true })

