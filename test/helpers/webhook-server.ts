import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** One POST the server took (or refused, or left hanging). */
export interface RecordedRequest {
  readonly method: string
  /** Path and query, as the client sent them. */
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
  /** What it was answered: the status, or `hung` for one never answered. */
  readonly answer: number | 'hung'
}

/**
 * A webhook receiver on loopback that records every request. `failNext(n)` answers the next `n`
 * requests with an error status, `hang()` answers none until `stop`, so tests see retries and
 * timeouts against a real socket.
 */
export class WebhookServer {
  readonly requests: RecordedRequest[] = []
  #failures = 0
  #failStatus = 500
  #failHeaders: Record<string, string> = {}
  #hanging = false
  readonly #held = new Set<http.ServerResponse>()
  readonly #server = http.createServer((request, response) => void this.#handle(request, response))
  #waiters: { count: number; resolve: () => void }[] = []

  /** Listens on a free loopback port; returns the base URL (`http://127.0.0.1:<port>`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    for (const response of this.#held) response.destroy()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  /** Answers the next `count` requests with `status` (500 unless said), and `headers` with it. */
  failNext(count: number, status = 500, headers: Record<string, string> = {}): void {
    this.#failures = count
    this.#failStatus = status
    this.#failHeaders = headers
  }

  /** Takes every request from now on and never answers it. */
  hang(): void {
    this.#hanging = true
  }

  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ count, resolve }))
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const answer = this.#hanging ? 'hung' : this.#failures > 0 ? this.#failStatus : 200
    this.requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), answer })
    this.#waiters = this.#waiters.filter((waiter) => (this.requests.length >= waiter.count ? (waiter.resolve(), false) : true))
    if (answer === 'hung') {
      this.#held.add(response)
      return
    }
    if (answer !== 200) this.#failures -= 1
    response.writeHead(answer, { 'content-type': 'text/plain', ...(answer === 200 ? {} : this.#failHeaders) })
    response.end(answer === 200 ? 'ok' : 'server error')
  }
}
