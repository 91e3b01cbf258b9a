import type { Clock } from '../util/clock.js'

/**
 * A clock that can be held at one instant. The central scheduler holds it at an op's time while it
 * applies the op, so applying it live and replaying it from the journal read the same times.
 */
export class FrozenClock implements Clock {
  readonly #source: Clock
  #frozenAt: number | undefined

  constructor(source: Clock) {
    this.#source = source
  }

  now(): number {
    return this.#frozenAt ?? this.#source.now()
  }

  /** The source's time, even while frozen. */
  live(): number {
    return this.#source.now()
  }

  /** Runs `work` with the clock held at `at`. */
  at<T>(at: number, work: () => T): T {
    const previous = this.#frozenAt
    this.#frozenAt = at
    try {
      return work()
    } finally {
      this.#frozenAt = previous
    }
  }
}
