import { createHash, randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** One message published to a topic. */
export interface PublishedMessage {
  readonly topicArn: string
  readonly message: string
  readonly subject: string | undefined
  /** `MessageAttributes`, name → string value. */
  readonly attributes: Readonly<Record<string, string>>
  readonly messageGroupId: string | undefined
  /** The access key id the request was signed with. */
  readonly accessKeyId: string | undefined
}

/** The account the fake's topic ARNs are in. */
const ACCOUNT = '123456789012'
const NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/'

/**
 * A small server that speaks SNS's Query protocol (form-encoded `Action=Publish`, XML answers) on
 * loopback, as @aws-sdk/client-sns sends it, and records what is published. Publishing to a topic it
 * was not told of is answered as SNS does: `NotFound`.
 */
export class SnsServer {
  readonly published: PublishedMessage[] = []
  readonly #topics = new Set<string>()
  readonly #server = http.createServer((request, response) => void this.#handle(request, response))

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  /** A topic publishes may go to; returns its ARN. */
  topic(name: string, region = 'us-east-1'): string {
    const arn = `arn:aws:sns:${region}:${ACCOUNT}:${name}`
    this.#topics.add(arn)
    return arn
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    const reply = (status: number, xml: string) => {
      response.writeHead(status, { 'content-type': 'text/xml' })
      response.end(`<?xml version="1.0"?>\n${xml}`)
    }
    if (form.get('Action') !== 'Publish') return reply(400, errorXml('InvalidAction', `unsupported action ${form.get('Action')}`))
    const topicArn = form.get('TopicArn') ?? ''
    if (!this.#topics.has(topicArn)) return reply(404, errorXml('NotFound', 'Topic does not exist'))
    this.published.push({
      topicArn,
      message: form.get('Message') ?? '',
      subject: form.get('Subject') ?? undefined,
      attributes: attributesOf(form),
      messageGroupId: form.get('MessageGroupId') ?? undefined,
      accessKeyId: /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1],
    })
    const id = randomUUID()
    reply(
      200,
      `<PublishResponse xmlns="${NAMESPACE}"><PublishResult><MessageId>${id}</MessageId></PublishResult>` +
        `<ResponseMetadata><RequestId>${createHash('md5').update(id).digest('hex')}</RequestId></ResponseMetadata></PublishResponse>`,
    )
  }
}

/** `MessageAttributes.entry.N.Name` / `.Value.StringValue`, as the Query protocol flattens a map. */
function attributesOf(form: URLSearchParams): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n += 1) {
    attributes[form.get(`MessageAttributes.entry.${n}.Name`)!] = form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? ''
  }
  return attributes
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`
}
