import { Parameter } from '../parameter.js'

const DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * A point in time to the second, held as a `Date`. Text without an offset is read as UTC, so the same
 * command line gives the same task id on every machine.
 */
export class DatetimeParameter<D extends boolean = boolean> extends Parameter<Date, D> {
  get typeName(): string {
    return 'datetime'
  }

  get expected(): string {
    return 'a datetime YYYY-MM-DDTHH:MM:SS such as 2024-01-31T02:00:00 (UTC unless an offset is given)'
  }

  parse(text: string): Date {
    const match = DATETIME.exec(text.trim())
    if (!match) throw new Error(`expected ${this.expected}`)
    const [, day, hh, mm, ss = '00', zone = 'Z'] = match
    const date = new Date(`${day}T${hh}:${mm}:${ss}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`)
    return this.check(date)
  }

  protected override check(value: unknown): Date {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new Error(`expected ${this.expected}`)
    // Truncated to the second: the parameter's precision, so ids do not depend on milliseconds.
    return new Date(Math.floor(value.getTime() / 1000) * 1000)
  }

  override serialize(value: Date): string {
    return `${value.toISOString().slice(0, 19)}Z`
  }
}
