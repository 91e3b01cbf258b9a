import type { SNSClient } from '@aws-sdk/client-sns'
import { EtlError } from '../errors.js'
import { lazyImport } from '../util/lazy-import.js'
import { awsClientConfig, fifoFields, messageAttributes } from './aws-client-config.js'
import type { NotificationChannel } from './notification-channel.js'
import type { SnsSettings } from './notifications-schema.js'
import type { Notice } from './notice.js'

/** The SNS client, loaded by the first message rather than by importing `etl`. */
const loadSns = lazyImport(() => import('@aws-sdk/client-sns'))

/** SNS takes a subject of fewer than 100 printable ASCII characters, with no line break. */
const MAX_SUBJECT_CHARS = 99

/**
 * Publishes each notice to an SNS topic: the message is the JSON body (what a Lambda or an HTTPS
 * subscriber parses), the subject the event's line (what a mail subscriber reads), and the
 * attributes `event` and `family` are there for subscription filter policies.
 */
export class SnsChannel implements NotificationChannel {
  readonly kind = 'sns'
  readonly batched = false
  readonly target: string
  readonly #settings: SnsSettings
  #client: Promise<SNSClient> | undefined

  constructor(settings: SnsSettings) {
    this.#settings = settings
    this.target = `sns ${settings.topicArn}`
  }

  async send(notices: readonly Notice[], signal: AbortSignal): Promise<void> {
    const [client, sdk] = await Promise.all([this.#sdkClient(), loadSns()])
    for (const notice of notices) {
      const message = JSON.stringify(notice.body)
      const command = new sdk.PublishCommand({
        TopicArn: this.#settings.topicArn,
        Message: message,
        Subject: snsSubject(notice.line),
        MessageAttributes: messageAttributes(notice.body),
        ...fifoFields(this.#settings.topicArn.endsWith('.fifo'), notice.body.run, message),
      })
      try {
        await client.send(command, { abortSignal: signal })
      } catch (error) {
        const reason = signal.aborted ? 'stopped: the notifier stopped waiting' : `${(error as Error).name}: ${(error as Error).message}`
        throw new EtlError('ETL_ERR_NOTIFY_SEND_FAILED', `publish failed: ${reason}`)
      }
    }
  }

  async close(): Promise<void> {
    const client = this.#client
    this.#client = undefined
    if (client) (await client.catch(() => undefined))?.destroy()
  }

  #sdkClient(): Promise<SNSClient> {
    // The topic's ARN says its region: arn:aws:sns:<region>:<account>:<name>.
    const region = this.#settings.region ?? this.#settings.topicArn.split(':')[3]!
    this.#client ??= loadSns().then((sdk) => new sdk.SNSClient(awsClientConfig(this.#settings, region, this.#settings.endpoint)))
    return this.#client
  }
}

/** `line` as SNS takes a subject: printable ASCII, one line, cut below 100 characters. */
export function snsSubject(line: string): string {
  const ascii = line.replace(/[^\x20-\x7e]+/g, ' ').replace(/\s+/g, ' ').trim() || 'etl notification'
  return ascii.length > MAX_SUBJECT_CHARS ? `${ascii.slice(0, MAX_SUBJECT_CHARS - 3)}...` : ascii
}
