/**
 * A level-triggered wake-up: `notify()` before anyone waits is not lost, it makes the next `wait()`
 * return at once. Each `wait()` consumes the notifications made so far.
 */
export class Wakeup {
  #notified = false
  #resolve: (() => void) | undefined

  notify(): void {
    this.#notified = true
    this.#resolve?.()
  }

  /** Resolves on the next notification (or a pending one), or after `timeoutMs` when given. */
  async wait(timeoutMs?: number): Promise<void> {
    if (!this.#notified) {
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.#resolve = resolve
        if (timeoutMs !== undefined) timer = setTimeout(resolve, timeoutMs)
      })
      clearTimeout(timer)
      this.#resolve = undefined
    }
    this.#notified = false
  }
}
