import type { ChannelSettings } from './notifications-schema.js'

/** Parts of a webhook URL at least this long are taken for tokens (Slack's, Discord's, Teams' `sig`); shorter ones are words. */
const TOKEN_MIN_CHARS = 16

/**
 * The values in a channel's settings that must never be shown: passwords, keys, header values, and a
 * webhook URL with its credentials, query values and token-like path segments (Slack and Discord put
 * the token in the path). The notifier masks each one, by exact match, in what it logs and sends.
 */
export function channelSecrets(channel: ChannelSettings): string[] {
  const secrets: (string | undefined)[] = []
  if (channel.webhook) secrets.push(...urlSecrets(channel.webhook.url), ...Object.values(channel.webhook.headers ?? {}))
  if (channel.email) secrets.push(channel.email.password)
  for (const aws of [channel.sns, channel.sqs]) if (aws) secrets.push(aws.secretAccessKey, aws.sessionToken)
  return secrets.filter((value): value is string => value !== undefined && value !== '')
}

function urlSecrets(text: string): string[] {
  const url = new URL(text)
  const found = [text, url.password, decoded(url.password)]
  for (const value of url.searchParams.values()) if (value.length >= TOKEN_MIN_CHARS) found.push(value)
  for (const segment of url.pathname.split('/')) if (segment.length >= TOKEN_MIN_CHARS) found.push(segment, decoded(segment))
  return found
}

/** A URL part as sent and as a server may echo it back decoded. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

/**
 * A webhook URL as a log line may show it: the origin only, since its path or query may be the
 * token (`https://hooks.slack.com/…`).
 */
export function webhookTarget(text: string): string {
  const url = new URL(text)
  return `${url.origin}${url.pathname === '/' && url.search === '' ? '' : '/…'}`
}
