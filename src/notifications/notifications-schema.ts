import { z } from 'zod'
import { field } from '../config/schema-helpers.js'
import { closestMatch } from '../util/closest-match.js'
import { NOTIFICATION_EVENTS } from './notification-events.js'

/** The keys that pick a channel's kind; an entry has exactly one of them. */
export const CHANNEL_KINDS = ['webhook', 'email', 'sns', 'sqs', 'command'] as const
export type ChannelKind = (typeof CHANNEL_KINDS)[number]

const EVENT_LIST = NOTIFICATION_EVENTS.join(', ')

/** An HTTP header name as RFC 9110 spells a token; anything else makes every request fail. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** `arn:<partition>:sns:<region>:<account>:<topic>`; a FIFO topic's name ends in `.fifo`. */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}

/** `ops@example.com`, or `Ops <ops@example.com>` as mail headers write it. */
function isMailAddress(text: string): boolean {
  const angled = /^[^<>]*<([^<>]+)>$/.exec(text.trim())
  return /^[^\s@<>]+@[^\s@<>]+$/.test(angled ? angled[1]! : text.trim())
}

const TO_EXAMPLE = 'expected a mail address, or a non-empty list of them, such as ["ops@example.com"]'

const httpUrl = (example: string) =>
  z.string({ error: `expected an http:// or https:// URL, such as ${example}` }).refine(isHttpUrl, { error: `expected an http:// or https:// URL, such as ${example}` })

const mailAddress = () =>
  z.string({ error: 'expected a mail address such as "ops@example.com"' }).refine(isMailAddress, { error: 'expected a mail address such as "ops@example.com" or "Ops <ops@example.com>"' })

const eventName = z.enum(NOTIFICATION_EVENTS, {
  error: (issue) => {
    if (issue.input === 'started') return `"started" is for hooks only (a message per task start would be noise); use one of ${EVENT_LIST}`
    const near = typeof issue.input === 'string' ? closestMatch(issue.input, NOTIFICATION_EVENTS) : undefined
    return `${near ? `did you mean "${near}"? ` : ''}expected one of ${EVENT_LIST}`
  },
})

/** AWS credentials written in the channel; without them the SDK's usual sources apply (environment, profile, instance role). */
const awsCredentialFields = {
  accessKeyId: field.string().optional(),
  /** Give it as a `${ENV}` reference; it never reaches a log line or an error message. */
  secretAccessKey: field.string().optional(),
  sessionToken: field.string().optional(),
}

/** An HTTP POST of the JSON body: `{ "url": "https://hooks.slack.com/services/…" }`. */
export const webhookSettingsSchema = z.strictObject({
  url: httpUrl('https://hooks.example/etl'),
  /** Sent with every request; their values are secrets (an `Authorization` token). */
  headers: z
    .record(z.string().regex(HEADER_NAME), z.string({ error: 'expected a header value' }).regex(/^[^\r\n]*$/, { error: 'a header value is one line' }), {
      error: (issue) => (issue.code === 'invalid_key' ? `"${String(issue.path?.at(-1) ?? '')}" is no header name: letters, digits and - only, no spaces` : 'expected an object of header names and values'),
    })
    .optional(),
  /** How long one request may take. @defaultValue 5000 */
  timeoutMs: field.positiveInt().optional(),
  /** Tries after the first, on a timeout, a refused connection, HTTP 429 or 5xx. @defaultValue 3 */
  retries: field.nonNegativeInt().optional(),
  /** Wait before the first retry, doubled before each next one. @defaultValue 500 */
  backoffMs: field.nonNegativeInt().optional(),
})

/** Mail over SMTP, one per run with every event in it. */
export const emailSettingsSchema = z
  .strictObject({
    host: field.string(),
    /** @defaultValue 465 when `secure`, else 587 */
    port: field.port().optional(),
    /** TLS from the start (port 465); otherwise STARTTLS is used when the server offers it. @defaultValue false */
    secure: field.bool().optional(),
    user: field.string().optional(),
    /** Give it as a `${ENV}` reference; it never reaches a log line, an error message or a mail. */
    password: field.string().optional(),
    from: mailAddress(),
    to: z.union([mailAddress(), z.array(mailAddress()).min(1, { error: TO_EXAMPLE })], { error: TO_EXAMPLE }),
    /** @defaultValue '[etl]' */
    subjectPrefix: z.string({ error: 'expected a string such as "[etl]"' }).optional(),
    /** Tries after the first, when the server is unreachable, times out or answers 4xx (try later). @defaultValue 2 */
    retries: field.nonNegativeInt().optional(),
    /** Wait before the first retry, doubled before each next one. @defaultValue 1000 */
    backoffMs: field.nonNegativeInt().optional(),
  })
  .superRefine((settings, ctx) => {
    if (settings.password !== undefined && settings.user === undefined) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'a password needs its user: add "user", or remove "password"' })
    }
  })

/** Publish to an SNS topic. */
export const snsSettingsSchema = z
  .strictObject({
    topicArn: z.string({ error: 'expected a topic ARN' }).regex(TOPIC_ARN, { error: 'expected a topic ARN such as arn:aws:sns:eu-west-1:123456789012:etl-alerts' }),
    /** @defaultValue the topic ARN's region */
    region: field.string().optional(),
    /** An SNS-protocol server other than AWS. */
    endpoint: httpUrl('http://127.0.0.1:4566').optional(),
    ...awsCredentialFields,
  })
  .superRefine(credentialsPaired)

/** Send to an SQS queue. */
export const sqsSettingsSchema = z
  .strictObject({
    queueUrl: httpUrl('https://sqs.eu-west-1.amazonaws.com/123456789012/etl-events'),
    /** @defaultValue the queue URL's region, else `AWS_REGION`, else us-east-1 */
    region: field.string().optional(),
    /** @defaultValue the queue URL's origin */
    endpoint: httpUrl('http://127.0.0.1:4566').optional(),
    ...awsCredentialFields,
  })
  .superRefine(credentialsPaired)

/** Run a program, with the event as JSON on stdin and in `ETL_*` environment variables. */
export const commandSettingsSchema = z.strictObject({
  argv: z
    .array(field.string(), { error: 'expected a list such as ["./notify.sh", "--to", "ops"]: the program runs without a shell' })
    .min(1, { error: 'expected at least the program to run, such as ["./notify.sh"]' }),
  /** How long the program may run before it is killed. @defaultValue 30000 */
  timeoutMs: field.positiveInt().optional(),
})

function credentialsPaired(settings: { accessKeyId?: string | undefined; secretAccessKey?: string | undefined }, ctx: z.RefinementCtx): void {
  if ((settings.accessKeyId === undefined) !== (settings.secretAccessKey === undefined)) {
    const missing = settings.accessKeyId === undefined ? 'accessKeyId' : 'secretAccessKey'
    ctx.addIssue({ code: 'custom', path: [missing], message: 'accessKeyId and secretAccessKey go together: give both, or neither to use the environment' })
  }
}

/** One entry of `notifications`: which events, which families, and one way to send them. */
export const channelSettingsSchema = z
  .strictObject({
    /** Shown in log lines about the channel. @defaultValue its kind and place in the list */
    name: field.string().optional(),
    on: z.array(eventName, { error: `expected a list of events such as ["failure"]: any of ${EVENT_LIST}` }).min(1, { error: `expected at least one event: any of ${EVENT_LIST}` }),
    /** Only tasks of these families; run-level events (`run_finished`, `schedule_missed`) always pass. @defaultValue every family */
    families: z
      .array(field.string(), { error: 'expected a list of task family names such as ["LandTable"]' })
      .min(1, { error: 'expected at least one task family; leave "families" out to take every family' })
      .optional(),
    webhook: webhookSettingsSchema.optional(),
    email: emailSettingsSchema.optional(),
    sns: snsSettingsSchema.optional(),
    sqs: sqsSettingsSchema.optional(),
    command: commandSettingsSchema.optional(),
  })
  .superRefine((channel, ctx) => {
    const kinds = CHANNEL_KINDS.filter((kind) => channel[kind] !== undefined)
    const who = channel.name !== undefined ? `channel "${channel.name}"` : 'this channel'
    if (kinds.length === 0) ctx.addIssue({ code: 'custom', message: `${who} says how to send nothing: give one of ${CHANNEL_KINDS.join(', ')}` })
    for (const extra of kinds.slice(1)) {
      ctx.addIssue({ code: 'custom', path: [extra], message: `${who} already sends by ${kinds[0]}: one kind per entry, so move "${extra}" to an entry of its own` })
    }
  })

/**
 * The config's `notifications` section: channels that are told of run events.
 *
 * ```json
 * "notifications": [{ "name": "ops", "on": ["failure", "run_finished"], "webhook": { "url": "https://hooks.example/etl" } }]
 * ```
 */
export const notificationsSchema = z
  .array(channelSettingsSchema, { error: 'expected a list of channels such as [{"on": ["failure"], "webhook": {"url": "https://hooks.example/etl"}}]' })
  .superRefine((channels, ctx) => {
    const seen = new Map<string, number>()
    channels.forEach((channel, index) => {
      if (channel.name === undefined) return
      const first = seen.get(channel.name)
      if (first === undefined) seen.set(channel.name, index)
      else ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `channel ${first} is named "${channel.name}" already; give each channel its own name, so log lines tell them apart` })
    })
  })

export type WebhookSettings = z.infer<typeof webhookSettingsSchema>
export type EmailSettings = z.infer<typeof emailSettingsSchema>
export type SnsSettings = z.infer<typeof snsSettingsSchema>
export type SqsSettings = z.infer<typeof sqsSettingsSchema>
export type CommandSettings = z.infer<typeof commandSettingsSchema>
export type ChannelSettings = z.infer<typeof channelSettingsSchema>
export type NotificationsConfig = z.infer<typeof notificationsSchema>
