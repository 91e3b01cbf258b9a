import { createHash } from 'node:crypto'

/** How many parameter values the readable part of an id shows, and how much of each. */
const SUMMARY_PARAMS = 3
const SUMMARY_VALUE_CHARS = 16
const HASH_CHARS = 10
const UNSAFE_CHARS = /[^A-Za-z0-9_]/g

/**
 * The deterministic id of a task, as Luigi builds it: `Family_<summary>_<hash>`, where the summary shows
 * the first values (by parameter name) and the hash covers every significant value, so the same family
 * and values always give the same id and different values never collide in practice.
 */
export function taskId(family: string, serializedParams: Readonly<Record<string, string>>): string {
  const names = Object.keys(serializedParams).sort()
  const canonical = JSON.stringify(Object.fromEntries(names.map((name) => [name, serializedParams[name]])))
  const hash = createHash('md5').update(canonical).digest('hex').slice(0, HASH_CHARS)
  const summary = names
    .slice(0, SUMMARY_PARAMS)
    .map((name) => serializedParams[name]!.slice(0, SUMMARY_VALUE_CHARS))
    .join('_')
    .replace(UNSAFE_CHARS, '_')
  return `${family}_${summary}_${hash}`
}
