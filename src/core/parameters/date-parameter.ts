import { Parameter } from '../parameter.js'
import { isIsoDate, toIsoDate } from './calendar.js'

/** A calendar date, held as `YYYY-MM-DD` text so no timezone can shift it. */
export class DateParameter<D extends boolean = boolean> extends Parameter<string, D> {
  get typeName(): string {
    return 'date'
  }

  get expected(): string {
    return 'a date YYYY-MM-DD such as 2024-01-31'
  }

  parse(text: string): string {
    const trimmed = text.trim()
    if (!isIsoDate(trimmed)) throw new Error(`expected ${this.expected}`)
    return trimmed
  }

  protected override check(value: unknown): string {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return toIsoDate(value)
    throw new Error(`expected ${this.expected}`)
  }
}
