/** One sample: a value with its labels. */
export interface Sample {
  labels?: Record<string, string>
  value: number
}

/** One metric family in the Prometheus text exposition format (version 0.0.4). */
export interface MetricFamily {
  name: string
  help: string
  type: 'gauge' | 'counter' | 'histogram'
  samples: (Sample & { suffix?: string })[]
}

/** The content type Prometheus expects for the text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** Writes metric families as Prometheus text, escaping label values and help text as the format says. */
export function formatPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = []
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`)
    lines.push(`# TYPE ${family.name} ${family.type}`)
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {})
      const text = labels.length ? `{${labels.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(',')}}` : ''
      lines.push(`${family.name}${sample.suffix ?? ''}${text} ${formatValue(sample.value)}`)
    }
  }
  return `${lines.join('\n')}\n`
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}
