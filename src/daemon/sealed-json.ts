import { createHash } from 'node:crypto'

/** Hex characters of each kind of seal: the snapshot's is a whole SHA-256, a journal line's a 64-bit prefix. */
const DIGEST_CHARS = { sha256: 64, sum: 16 } as const

export type SealField = keyof typeof DIGEST_CHARS

/**
 * A JSON object's text with a checksum of that text added as its last field, `"sum":"..."` or
 * `"sha256":"..."`: still JSON, and the checksum covers exactly the bytes before it, so reading it back
 * needs no second serialisation (which could spell numbers or escapes differently).
 *
 * ```ts
 * sealJson('{"seq":1}', 'sum').text // '{"seq":1,"sum":"9b2a0c3f6d1e8a47"}'
 * ```
 */
export function sealJson(body: string, field: SealField): { text: string; digest: string } {
  const digest = digestOf(body, field)
  return { text: `${body.slice(0, -1)},"${field}":"${digest}"}`, digest }
}

/**
 * The other way: the sealed text's body and whether its checksum matches, or undefined when the text
 * carries no seal of that kind (written before checksums, or cut short).
 */
export function unsealJson(text: string, field: SealField): { body: string; digest: string; intact: boolean } | undefined {
  const chars = DIGEST_CHARS[field]
  const suffix = `,"${field}":"`.length + chars + 2
  if (text.length < suffix + 2 || !text.endsWith('"}')) return undefined
  const tail = text.slice(text.length - suffix)
  if (!tail.startsWith(`,"${field}":"`) || !/^[0-9a-f]+$/.test(tail.slice(field.length + 5, -2))) return undefined
  const digest = tail.slice(field.length + 5, -2)
  const body = `${text.slice(0, text.length - suffix)}}`
  return { body, digest, intact: digestOf(body, field) === digest }
}

function digestOf(body: string, field: SealField): string {
  return createHash('sha256').update(body).digest('hex').slice(0, DIGEST_CHARS[field])
}
