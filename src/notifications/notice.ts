import type { NotificationBody } from './notification-body.js'

/** One event as a channel gets it: the body to send and the plain line for subjects and mails, both masked. */
export interface Notice {
  readonly body: NotificationBody
  /** `RunJob(): LandTable(table=orders) failed: connection refused`, without markup. */
  readonly line: string
}
