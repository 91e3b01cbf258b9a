/**
 * Text any store can keep. Postgres refuses NUL in `text` and `jsonb` (`unsupported Unicode escape
 * sequence`) and half of a surrogate pair in `jsonb` (`invalid input syntax for type json`); one such
 * character in a task's error used to stop the run history for good. Both become U+FFFD, the Unicode
 * replacement character, so the rest of the text is kept.
 */

const REPLACEMENT = '\uFFFD'
const UNSTORABLE = /[\u0000\ud800-\udfff]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
/**
 * The same characters in JSON as `JSON.stringify` writes it: NUL as `\u0000`, a lone surrogate as
 * `\udXXX` (a paired one is written as itself). The escape counts only after an even run of
 * backslashes, or it is the text `\u0000` rather than the character.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi

/** True when `text` holds a character Postgres cannot store. */
export function isUnstorable(text: string): boolean {
  return UNSTORABLE.test(text)
}

/** `text` with NUL and lone surrogates replaced by U+FFFD. */
export function storable(text: string): string {
  if (!UNSTORABLE.test(text)) return text
  return text.replaceAll('\u0000', REPLACEMENT).replace(LONE_SURROGATE, REPLACEMENT)
}

/** JSON text (as `JSON.stringify` writes it) with every NUL and lone surrogate, in keys and values, replaced by U+FFFD. */
export function storableJson(json: string): string {
  return json.includes('\\u') ? json.replace(UNSTORABLE_ESCAPE, '$1\\ufffd') : json
}
