import { createRequire } from 'node:module'
import type { Cron, CronOptions } from 'croner'

type Croner = typeof import('croner')
let croner: Croner | undefined

/**
 * A paused croner `Cron`. croner is loaded (its CommonJS build, synchronously) by the first cron
 * expression read, not by importing `etl`: every command validates the config, but only a config with
 * `schedules` and the scheduler daemon need it, and the schema's checks and `ScheduleRunner`'s
 * constructor are synchronous, so a dynamic `import()` would not do.
 */
export function pausedCron(pattern: string, options: Omit<CronOptions, 'paused'> = {}): Cron {
  croner ??= createRequire(import.meta.url)('croner') as Croner
  return new croner.Cron(pattern, { ...options, paused: true })
}
