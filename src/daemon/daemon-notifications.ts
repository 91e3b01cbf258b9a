import type { Logger } from 'pino'
import type { EtlConfig } from '../config/load-config.js'
import { onRunEvent, type EventHub } from '../events/event-hub.js'
import { Notifier } from '../notifications/notifier.js'

/** How long the daemon gathers events before it sends a batched mail: a burst becomes one mail. */
export const DAEMON_BATCH_MS = 30_000

/**
 * The config's notification channels, listening to the daemon's events. A run ends and sends its mail;
 * the daemon never ends, so it sends what it gathered `batchMs` after the first event of a burst.
 * Returns the function that sends what is left, for the daemon's close.
 */
export function notifyDaemonEvents(hub: EventHub, config: EtlConfig | undefined, logger: Logger, batchMs = DAEMON_BATCH_MS): (timeoutMs: number) => Promise<void> {
  const channels = config?.raw.notifications ?? []
  if (channels.length === 0) return async () => {}
  const notifier = new Notifier(channels, { logger })
  let timer: NodeJS.Timeout | undefined
  hub.subscribe(
    onRunEvent(
      'all',
      (event) => {
        notifier.notify(event)
        timer ??= setTimeout(() => {
          timer = undefined
          void notifier.flush({ timeoutMs: batchMs })
        }, batchMs).unref()
      },
      { name: 'notifications' },
    ),
  )
  return async (timeoutMs) => {
    clearTimeout(timer)
    await notifier.close({ timeoutMs })
  }
}
