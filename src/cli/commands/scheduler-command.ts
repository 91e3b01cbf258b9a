import type { CliEnvironment } from '../cli-environment.js'
import { ExitCode, type ExitCodeValue } from '../exit-codes.js'

export interface SchedulerCommandOptions {
  host?: string | undefined
  port?: number | undefined
  stateDir?: string | undefined
  insecure?: boolean | undefined
  /** `--recover`: start from what is intact when the state is damaged or incomplete. */
  recover?: boolean | undefined
}

/**
 * `etl scheduler`: starts the central scheduler daemon and keeps it up until SIGINT or SIGTERM, then
 * closes it cleanly (state written, history flushed).
 */
export async function schedulerCommand(env: CliEnvironment, options: SchedulerCommandOptions): Promise<ExitCodeValue> {
  // Loaded only for this command, so `etl run` never pays for the web server.
  const { startSchedulerDaemon } = await import('../../daemon/scheduler-daemon.js')
  const daemon = await startSchedulerDaemon({
    config: env.config,
    logger: env.logger,
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    ...(options.insecure !== undefined ? { insecure: options.insecure } : {}),
    ...(options.recover ? { recover: true } : {}),
  })
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  env.logger.info('stopping the central scheduler')
  await daemon.close()
  return ExitCode.OK
}
