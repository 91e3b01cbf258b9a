import type { ExecutionSummary, SummaryLine } from '../worker/execution-summary.js'
import { formatDuration } from '../util/format.js'
import { ExitCode, exitCodeFor } from './exit-codes.js'

/** Lines shown per section before the rest is summed up by family. */
const MAX_LINES = 25

const EXPLANATION: Record<number, string> = {
  [ExitCode.OK]: 'the requested task is complete',
  [ExitCode.TASK_FAILED]: 'a task failed; fix it and run the same command again to resume',
  [ExitCode.MISSING_DATA]: 'external data is missing; run again once it has arrived',
  [ExitCode.INTERRUPTED]: 'the run was interrupted; run the same command again to resume',
}

/** The end-of-run report: what ran, what was already complete, what failed and why, what could not run. */
export function formatSummary(summary: ExecutionSummary): string {
  const out: string[] = ['', '===== etl execution summary =====']
  const wall = formatDuration(summary.endedAt - summary.startedAt)
  for (const root of summary.roots) out.push(`Requested ${root.label}: ${root.status === 'DONE' ? 'complete' : `not complete (${root.status})`}`)
  if (summary.ran.length === 0 && summary.failed.length === 0 && summary.complete) {
    out.push(`Nothing to do: every task was already complete (${summary.alreadyComplete.length} checked in ${wall}).`)
  } else {
    section(out, `Ran ${summary.ran.length} task${plural(summary.ran)}`, summary.ran, ranLine)
    section(out, `Already complete: ${summary.alreadyComplete.length}`, summary.alreadyComplete, plainLine)
    section(out, `Completed by other workers: ${summary.doneElsewhere.length}`, summary.doneElsewhere, plainLine)
    section(out, `Failed: ${summary.failed.length}`, summary.failed, failedLine)
    section(out, `Could not run because something they need failed: ${summary.upstreamFailed.length}`, summary.upstreamFailed, plainLine)
    section(out, `Not run: ${summary.notRun.length}`, summary.notRun, (line) => `${line.label} (${line.status})`)
  }
  const code = exitCodeFor(summary.outcome)
  out.push(`Finished in ${wall}; exit code ${code}: ${explanation(summary, code)}.`, '')
  return out.join('\n')
}

/**
 * What the exit code means and how to get past it. A DISABLED task stays so whatever the next run
 * does, so "run again" would be wrong advice: the way out is to re-enable it.
 */
function explanation(summary: ExecutionSummary, code: number): string {
  const disabled = [...summary.failed, ...summary.notRun].filter((line) => line.status === 'DISABLED')
  if (code !== ExitCode.TASK_FAILED || disabled.length === 0) return EXPLANATION[code]!
  const which = disabled.length === 1 ? `${disabled[0]!.label} is` : `${disabled.length} tasks are`
  return (
    `${which} DISABLED by the central scheduler for failing too often, and will not run until re-enabled: fix the cause, then ` +
    `re-enable ${disabled.length === 1 ? 'it' : 'them'} on ${disabled.length === 1 ? 'its' : 'their'} page in the scheduler's web UI (with the action token), ` +
    'or run the same command with --forgive (with ETL_SCHEDULER_TOKEN set)'
  )
}

function section(out: string[], title: string, lines: SummaryLine[], render: (line: SummaryLine) => string): void {
  if (lines.length === 0) return
  out.push(title)
  for (const line of lines.slice(0, MAX_LINES)) out.push(`  ${render(line)}`)
  if (lines.length > MAX_LINES) {
    const rest = new Map<string, number>()
    for (const line of lines.slice(MAX_LINES)) rest.set(line.family, (rest.get(line.family) ?? 0) + 1)
    out.push(`  … and ${lines.length - MAX_LINES} more: ${[...rest].map(([family, count]) => `${family} ×${count}`).join(', ')}`)
  }
}

function ranLine(line: SummaryLine): string {
  const result = line.result && Object.keys(line.result).length ? `  ${formatResult(line.result)}` : ''
  const retries = line.attempts && line.attempts > 1 ? ` after ${line.attempts} attempts` : ''
  return `✓ ${line.label}  ${formatDuration(line.durationMs ?? 0)}${retries}${result}`
}

function failedLine(line: SummaryLine): string {
  const duration = line.durationMs === undefined ? '' : `  ${formatDuration(line.durationMs)}`
  const disabled = line.status === 'DISABLED' ? '  (now DISABLED: it failed too often)' : ''
  return `✗ ${line.label}${duration}${disabled}\n      ${line.error ?? 'failed'}`
}

function plainLine(line: SummaryLine): string {
  return line.label
}

function formatResult(result: NonNullable<SummaryLine['result']>): string {
  const text = Object.entries(result)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ')
  return text.length > 120 ? `${text.slice(0, 119)}…` : text
}

function plural(lines: readonly unknown[]): string {
  return lines.length === 1 ? '' : 's'
}
