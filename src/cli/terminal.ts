/** How often the live line may redraw: enough to feel live, little enough to cost nothing. */
const REDRAW_INTERVAL_MS = 100

/**
 * The CLI's stderr: log lines scroll, and on a terminal one live status line stays at the bottom.
 * Off a terminal (a pipe, a cron job's mail) there is no status line, only the log lines.
 */
export class Terminal {
  readonly live: boolean
  readonly #stream: NodeJS.WriteStream
  #status = ''
  #shown = false
  #lastDraw = 0
  #timer: NodeJS.Timeout | undefined

  constructor(stream: NodeJS.WriteStream = process.stderr, live = Boolean(stream.isTTY)) {
    this.#stream = stream
    this.live = live
  }

  /** Writes finished lines above the status line. */
  write(text: string): void {
    if (this.#shown) this.#stream.write('\r\x1b[K')
    this.#stream.write(text)
    this.#shown = false
    if (this.live && this.#status) this.#draw()
  }

  /** Sets the status line; redraws at most every 100 ms. */
  status(text: string): void {
    if (!this.live) return
    this.#status = text
    const wait = this.#lastDraw + REDRAW_INTERVAL_MS - Date.now()
    if (wait <= 0) this.#draw()
    else this.#timer ??= setTimeout(() => this.#draw(), wait)
  }

  /** Removes the status line for good. */
  clear(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#status = ''
    if (this.#shown) this.#stream.write('\r\x1b[K')
    this.#shown = false
  }

  #draw(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (!this.#status) return
    // A pseudo-terminal may report 0 columns; assume a common width then.
    const width = Math.max(20, (this.#stream.columns || 100) - 1)
    const line = this.#status.length > width ? `${this.#status.slice(0, width - 1)}…` : this.#status
    this.#stream.write(`\r\x1b[K${line}`)
    this.#shown = true
    this.#lastDraw = Date.now()
  }
}
