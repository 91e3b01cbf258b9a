import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data'

/** The next step of the SDK's pipeline, as far as it is used here: it returns the HTTP response. */
type Handler = (args: unknown) => Promise<{ response: unknown }>
/** What `addRelativeTo` takes: a union of every step's middleware type, which no one function literal fits. */
type AnyMiddleware = Parameters<RedshiftDataClient['middlewareStack']['addRelativeTo']>[0]

/**
 * A `{"longValue": n}` field of a GetStatementResult page. In JSON text a `{` directly followed by a
 * quote can only open an object (inside a string that quote would be escaped), so this never matches
 * inside a text value.
 */
const LONG_FIELD = /\{\s*"longValue"\s*:\s*(-?\d+)\s*\}/g
/** Digits of 2^53 - 1: a long with fewer digits is always exact as a JavaScript number. */
const SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER).length
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * The Data API sends BIGINT values as JSON numbers (`longValue`), and any JSON parser that yields
 * JavaScript numbers (the AWS SDK's does) rounds those past 2^53. This rewrites such a field, while
 * it is still text, as `{"stringValue": "<digits>"}`, so its exact digits survive parsing; smaller
 * longs are left as they are.
 * @internal
 */
export function exactLongValues(json: string): string {
  return json.replace(LONG_FIELD, (field, digits: string) => {
    const unsigned = digits.startsWith('-') ? digits.slice(1) : digits
    if (unsigned.length < SAFE_DIGITS || BigInt(unsigned) <= MAX_SAFE) return field
    return `{"stringValue":"${digits}"}`
  })
}

/**
 * Applies {@link exactLongValues} to every GetStatementResult response of `client`, between the HTTP
 * response and the SDK's JSON parsing: after parsing, the digits are gone.
 * @internal
 */
export function keepLongValuesExact(client: RedshiftDataClient): void {
  const middleware = (next: Handler, context: { commandName?: string }): Handler => async (args) => {
    const result = await next(args)
    const response = result.response as { body?: unknown }
    if (context.commandName !== 'GetStatementResultCommand') return result
    const body = await bytesOf(response.body)
    if (body) response.body = Buffer.from(exactLongValues(body.toString('utf8')), 'utf8')
    return result
  }
  // Placed after (inside) the deserializer, it sees the response before the SDK parses it.
  client.middlewareStack.addRelativeTo(middleware as unknown as AnyMiddleware, { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'etlExactLongValues', override: true })
}

/** The whole body of a response (a stream in Node, bytes in tests and some handlers); undefined for anything else. */
async function bytesOf(body: unknown): Promise<Buffer | undefined> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (typeof body !== 'object' || body === null || !(Symbol.asyncIterator in body)) return undefined
  const chunks: Buffer[] = []
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk))
  return Buffer.concat(chunks)
}
