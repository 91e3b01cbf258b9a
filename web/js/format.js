const pad = (n, width = 2) => String(n).padStart(width, '0')

/** `2024-01-31 02:00:05` in the browser's time zone; '' for nothing. */
export function time(ms) {
  if (ms === null || ms === undefined) return ''
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** With milliseconds, for the task page. */
export function preciseTime(ms) {
  if (ms === null || ms === undefined) return ''
  return `${time(ms)}.${pad(new Date(ms).getMilliseconds(), 3)}`
}

/** `850ms`, `12.3s`, `4m05s`, `2h03m`. */
export function duration(ms) {
  if (ms === null || ms === undefined) return ''
  if (ms < 1000) return `${Math.round(ms)}ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(1)}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${pad(Math.floor(seconds % 60))}s`
  return `${Math.floor(minutes / 60)}h${pad(minutes % 60)}m`
}

/** `3s ago`, `in 5m`. */
export function relative(ms, now) {
  if (ms === null || ms === undefined) return ''
  const delta = ms - now
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`
}

export function number(n) {
  return Number(n).toLocaleString('en-US')
}
