/** `850ms`, `12.3s`, `4m05s`, `2h03m`: compact durations for summaries and progress lines. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(1)}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}

/** `"a", "b" and 3 more`: names for a message, the first `shown` of them quoted, the rest counted. */
export function quotedList(items: readonly string[], shown = 10): string {
  const listed = items.slice(0, shown).map((name) => `"${name}"`)
  const more = items.length > shown ? ` and ${items.length - shown} more` : ''
  return `${listed.join(', ')}${more}`
}
