import type { ChannelKind } from './notifications-schema.js'
import type { Notice } from './notice.js'

/**
 * One way of sending notices. A channel only sends; which events reach it, masking, concurrency and
 * what happens when it fails are the notifier's.
 */
export interface NotificationChannel {
  readonly kind: ChannelKind
  /** Where it sends, fit for a log line: never a secret (`webhook https://hooks.example/…`). */
  readonly target: string
  /** True when notices wait for the notifier's `flush` and go as one message per run (mail). */
  readonly batched: boolean
  /**
   * Sends one notice, or a run's batch when `batched`; rejects with an error saying what went wrong
   * once the channel's own retries are spent. Stops when `signal` aborts. `dropped` counts a batch's
   * events that were past the notifier's cap, for the mail to say the list is cut.
   */
  send(notices: readonly Notice[], signal: AbortSignal, dropped?: number): Promise<void>
  /** Lets go of connections and clients, for a notifier that is done. */
  close?(): Promise<void>
}
