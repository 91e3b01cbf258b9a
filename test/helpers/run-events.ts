import { createLogger, type Logger } from 'etl'
import type { RunEvent } from '../../src/events/run-event.js'

/** A task's failure, as the worker reports it; `overrides` change any field. */
export function failureEvent(overrides: Partial<RunEvent> = {}): RunEvent {
  return {
    event: 'failure',
    at: '2024-05-01T02:00:00.000Z',
    run: 'RunJob()',
    task: { id: 'LandTable_orders_0123456789', label: 'LandTable(table=orders)', family: 'LandTable', params: { table: 'orders' } },
    attempt: 1,
    error: 'connection refused\n    at connect (db.ts:1:1)',
    ...overrides,
  }
}

/** The end of a run: its summary and exit code. */
export function runFinishedEvent(overrides: Partial<RunEvent> = {}): RunEvent {
  return { event: 'run_finished', at: '2024-05-01T02:05:00.000Z', run: 'RunJob()', summary: 'Scheduled 3 tasks of which:\n* 1 failed', exitCode: 1, ...overrides }
}

/** A logger whose JSON lines a test can read back. */
export function recordingLogger(): { logger: Logger; lines: string[]; warnings: () => string[] } {
  const lines: string[] = []
  const logger = createLogger({ format: 'json', level: 'debug', write: (line) => lines.push(line) })
  const warnings = () => lines.map((line) => JSON.parse(line) as { level: string; msg: string }).filter((entry) => entry.level === 'warn').map((entry) => entry.msg)
  return { logger, lines, warnings }
}
