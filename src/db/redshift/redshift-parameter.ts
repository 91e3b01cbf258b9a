/** The Data API's parameter for a bound value (always text; Redshift casts it by context). */
export function redshiftParameter(value: unknown, index: number): { name: string; value: string } {
  const text =
    typeof value === 'string' ? value
    : value instanceof Date ? value.toISOString().replace('T', ' ').replace('Z', '')
    : typeof value === 'object' ? JSON.stringify(value)
    : String(value)
  return { name: `p${index + 1}`, value: text }
}
