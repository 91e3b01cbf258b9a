import { createHash } from 'node:crypto'

/** The settings an SNS or SQS channel shares. */
export interface AwsChannelSettings {
  region?: string | undefined
  endpoint?: string | undefined
  accessKeyId?: string | undefined
  secretAccessKey?: string | undefined
  sessionToken?: string | undefined
}

/** Tries per message: the SDK's own retry, with its backoff, for throttling and 5xx answers. */
const MAX_ATTEMPTS = 3

/** How long connecting and one request may take, so a silent endpoint cannot hold the end of a run. */
const CONNECTION_TIMEOUT_MS = 5_000
const REQUEST_TIMEOUT_MS = 10_000

/**
 * The client options of an SNS or SQS channel: region and endpoint as resolved by the channel, and the
 * channel's own credentials if it gives them, else the SDK's usual sources (environment, profile,
 * instance role).
 */
export function awsClientConfig(settings: AwsChannelSettings, region: string, endpoint: string | undefined) {
  return {
    region,
    ...(endpoint !== undefined ? { endpoint } : {}),
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    ...(settings.accessKeyId !== undefined && settings.secretAccessKey !== undefined
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, ...(settings.sessionToken !== undefined ? { sessionToken: settings.sessionToken } : {}) } }
      : {}),
  }
}

/** Message attributes SNS subscription filter policies and SQS consumers can route on. */
export function messageAttributes(body: { event: string; family?: string | undefined }): Record<string, { DataType: 'String'; StringValue: string }> {
  return {
    event: { DataType: 'String', StringValue: body.event },
    ...(body.family !== undefined ? { family: { DataType: 'String', StringValue: body.family } } : {}),
  }
}

/**
 * A FIFO topic or queue needs a group and a deduplication id: the group is the run, so its events stay
 * in order, in the characters a group id may hold; the id is the message's hash, so a retried send is
 * not delivered twice.
 */
export function fifoFields(fifo: boolean, run: string, message: string): { MessageGroupId?: string; MessageDeduplicationId?: string } {
  if (!fifo) return {}
  const group = run.replace(/[^\x21-\x7e]/g, '_').slice(0, 128) || 'etl'
  return { MessageGroupId: group, MessageDeduplicationId: createHash('sha256').update(message).digest('hex') }
}
