import { Parameter } from '../parameter.js'
import { DateInterval } from './date-interval.js'

/** A range of dates: `2024`, `2024-03`, `2024-W05`, `2024-03-15` or `2024-03-01/2024-03-08` (end excluded). */
export class DateIntervalParameter<D extends boolean = boolean> extends Parameter<DateInterval, D> {
  get typeName(): string {
    return 'date-interval'
  }

  get expected(): string {
    return 'a date interval such as 2024, 2024-03, 2024-W05, 2024-03-15 or 2024-03-01/2024-03-08'
  }

  parse(text: string): DateInterval {
    try {
      return DateInterval.parse(text)
    } catch {
      throw new Error(`expected ${this.expected}`)
    }
  }

  protected override check(value: unknown): DateInterval {
    if (value instanceof DateInterval) return value
    throw new Error(`expected ${this.expected}`)
  }

  override serialize(value: DateInterval): string {
    return value.text
  }
}
