import type { Logger } from 'pino'
import type { CentralScheduler } from '../scheduler/central-scheduler.js'
import type { RpcLimits } from '../scheduler/rpc-limits.js'
import type { Clock } from '../util/clock.js'
import type { DaemonMetrics } from './daemon-metrics.js'
import type { TokenGuard } from './token-guard.js'
import type { RunHistory } from './history/run-history.js'
import type { ScheduleRunner } from './schedules/schedule-runner.js'

/** What the daemon's routes share. */
export interface DaemonContext {
  scheduler: CentralScheduler
  /** The run history; without it the history pages say it is off. */
  history: RunHistory | undefined
  /** The schedules; without them the schedules page is empty and triggering is refused. */
  schedules: ScheduleRunner | undefined
  /** The action token; undefined disables every action that changes state. */
  token: string | undefined
  /** The token every worker call must carry; undefined lets any caller in (a loopback-only daemon). */
  workerToken: string | undefined
  /** Checks both tokens, and slows down and logs guessing. */
  guard: TokenGuard
  metrics: DaemonMetrics
  /** What one worker call may carry. */
  limits: RpcLimits
  clock: Clock
  logger: Logger
  /** Shown on the UI's about line: never a secret. */
  info: { version: string; history: string; stateDir: string | undefined }
}
