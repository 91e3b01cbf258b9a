import { RUN_EVENT_NAMES, type RunEventName } from '../events/run-event.js'

/** The events a notification channel may ask for: every run event but `started`, which is for hooks only. */
export type NotificationEventName = Exclude<RunEventName, 'started'>

/**
 * The names a channel's `on` list takes, in the order the run events are declared. `started` is left
 * out because a channel that mailed every start would be noise.
 */
export const NOTIFICATION_EVENTS = RUN_EVENT_NAMES.filter((name): name is NotificationEventName => name !== 'started') as unknown as readonly [
  NotificationEventName,
  ...NotificationEventName[],
]
