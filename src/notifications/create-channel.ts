import { CommandChannel } from './command-channel.js'
import { EmailChannel } from './email-channel.js'
import type { NotificationChannel } from './notification-channel.js'
import type { ChannelSettings } from './notifications-schema.js'
import { SnsChannel } from './sns-channel.js'
import { SqsChannel } from './sqs-channel.js'
import { WebhookChannel } from './webhook-channel.js'

/** The channel a validated `notifications` entry describes (the schema made sure it has exactly one kind). */
export function createChannel(settings: ChannelSettings, env: NodeJS.ProcessEnv = process.env): NotificationChannel {
  if (settings.webhook) return new WebhookChannel(settings.webhook)
  if (settings.email) return new EmailChannel(settings.email)
  if (settings.sns) return new SnsChannel(settings.sns)
  if (settings.sqs) return new SqsChannel(settings.sqs, env)
  if (settings.command) return new CommandChannel(settings.command, env)
  throw new TypeError('a notification channel with no kind: validate it with notificationsSchema first')
}
