import type { SQSClient } from '@aws-sdk/client-sqs'
import { EtlError } from '../errors.js'
import { lazyImport } from '../util/lazy-import.js'
import { awsClientConfig, fifoFields, messageAttributes } from './aws-client-config.js'
import type { NotificationChannel } from './notification-channel.js'
import type { SqsSettings } from './notifications-schema.js'
import type { Notice } from './notice.js'

/** The SQS client, loaded by the first message rather than by importing `etl`. */
const loadSqs = lazyImport(() => import('@aws-sdk/client-sqs'))

const DEFAULT_REGION = 'us-east-1'

/** `https://sqs.<region>.amazonaws.com/...` and the older `https://<region>.queue.amazonaws.com/...`. */
const REGION_IN_HOST = /^(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?$/

/**
 * Sends each notice's JSON body to an SQS queue, with the attributes `event` and `family` for
 * consumers to route on.
 */
export class SqsChannel implements NotificationChannel {
  readonly kind = 'sqs'
  readonly batched = false
  readonly target: string
  readonly #settings: SqsSettings
  readonly #env: NodeJS.ProcessEnv
  #client: Promise<SQSClient> | undefined

  constructor(settings: SqsSettings, env: NodeJS.ProcessEnv = process.env) {
    this.#settings = settings
    this.#env = env
    this.target = `sqs ${settings.queueUrl}`
  }

  async send(notices: readonly Notice[], signal: AbortSignal): Promise<void> {
    const [client, sdk] = await Promise.all([this.#sdkClient(), loadSqs()])
    for (const notice of notices) {
      const message = JSON.stringify(notice.body)
      const command = new sdk.SendMessageCommand({
        QueueUrl: this.#settings.queueUrl,
        MessageBody: message,
        MessageAttributes: messageAttributes(notice.body),
        ...fifoFields(this.#settings.queueUrl.endsWith('.fifo'), notice.body.run, message),
      })
      try {
        await client.send(command, { abortSignal: signal })
      } catch (error) {
        const reason = signal.aborted ? 'stopped: the notifier stopped waiting' : `${(error as Error).name}: ${(error as Error).message}`
        throw new EtlError('ETL_ERR_NOTIFY_SEND_FAILED', `send failed: ${reason}`)
      }
    }
  }

  async close(): Promise<void> {
    const client = this.#client
    this.#client = undefined
    if (client) (await client.catch(() => undefined))?.destroy()
  }

  #sdkClient(): Promise<SQSClient> {
    const url = new URL(this.#settings.queueUrl)
    const fromHost = REGION_IN_HOST.exec(url.hostname)
    const region = this.#settings.region ?? fromHost?.[1] ?? fromHost?.[2] ?? this.#env.AWS_REGION ?? this.#env.AWS_DEFAULT_REGION ?? DEFAULT_REGION
    // The queue URL's origin is where the queue answers. Given explicitly, the SDK need not swap it
    // in for its own endpoint, which it does with a warning on the console naming the URL.
    const endpoint = this.#settings.endpoint ?? url.origin
    this.#client ??= loadSqs().then((sdk) => new sdk.SQSClient(awsClientConfig(this.#settings, region, endpoint)))
    return this.#client
  }
}
