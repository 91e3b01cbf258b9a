import { createHash, randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** One message sent to a queue. */
export interface QueuedMessage {
  readonly queueUrl: string
  readonly body: string
  /** `MessageAttributes`, name → string value. */
  readonly attributes: Readonly<Record<string, string>>
  readonly messageGroupId: string | undefined
  /** The access key id the request was signed with. */
  readonly accessKeyId: string | undefined
}

const ACCOUNT = '123456789012'

/**
 * A small server that speaks SQS as the current @aws-sdk/client-sqs does, the AWS JSON 1.0 protocol
 * (`X-Amz-Target: AmazonSQS.SendMessage`, a JSON body, the answer's `MD5OfMessageBody`, which the
 * client checks), on loopback, and records what is sent. A queue it was not told of is answered as
 * SQS does: `QueueDoesNotExist`.
 */
export class SqsServer {
  readonly messages: QueuedMessage[] = []
  readonly #queues = new Set<string>()
  readonly #server = http.createServer((request, response) => void this.#handle(request, response))
  #endpoint = ''

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    this.#endpoint = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
    return this.#endpoint
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  /** A queue messages may go to; returns its URL on this server. */
  queue(name: string): string {
    const url = `${this.#endpoint}/${ACCOUNT}/${name}`
    this.#queues.add(url)
    return url
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>
    const operation = String(request.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '')
    const reply = (status: number, body: object, queryError?: string) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...(queryError ? { 'x-amzn-query-error': queryError } : {}) })
      response.end(JSON.stringify(body))
    }
    if (operation !== 'SendMessage') return reply(400, { __type: 'com.amazonaws.sqs#InvalidAction', message: `unsupported operation ${operation}` })
    const queueUrl = String(input.QueueUrl ?? '')
    if (!this.#queues.has(queueUrl)) {
      return reply(400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }, 'AWS.SimpleQueueService.NonExistentQueue;Sender')
    }
    const body = String(input.MessageBody ?? '')
    const attributes = (input.MessageAttributes ?? {}) as Record<string, { StringValue?: string }>
    this.messages.push({
      queueUrl,
      body,
      attributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, value.StringValue ?? ''])),
      messageGroupId: input.MessageGroupId as string | undefined,
      accessKeyId: /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1],
    })
    reply(200, { MD5OfMessageBody: createHash('md5').update(body).digest('hex'), MessageId: randomUUID() })
  }
}
