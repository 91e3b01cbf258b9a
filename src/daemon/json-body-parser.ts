import { EtlError } from '../errors.js'
import { MAX_JSON_DEPTH } from '../scheduler/rpc-limits.js'
import { isUnstorable, storable } from '../util/storable-text.js'

/** A container still to look into, with the way to it (for messages). */
interface Visit {
  value: object
  depth: number
  parent: Visit | undefined
  key: string
}

/**
 * Reads a JSON request body into what the daemon may keep: nested at most `MAX_JSON_DEPTH` levels
 * (the journal and the history write values out recursively), without `__proto__` keys or a
 * `constructor.prototype` (they could change how the daemon's own objects behave), and with every
 * character Postgres cannot store (NUL, a lone surrogate) replaced by U+FFFD, so the run history and
 * the journal never meet a value they cannot write. Each refusal says what and where.
 *
 * ```ts
 * parseJsonBody('{"workerId":"w1"}') // { workerId: 'w1' }
 * parseJsonBody('{"a":{"__proto__":{}}}') // throws: a key named "__proto__" at a
 * ```
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw badRequest('the request body is empty; send a JSON object')
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (error) {
    throw badRequest(`the request body is not valid JSON (${(error as Error).message}); send a JSON object`)
  }
  if (typeof body === 'string') return storable(body)
  if (body === null || typeof body !== 'object') return body
  check({ value: body, depth: 1, parent: undefined, key: '' })
  return body
}

/** Walks the body without recursion: its depth is what is being checked. */
function check(root: Visit): void {
  const stack: Visit[] = [root]
  while (stack.length > 0) {
    const visit = stack.pop()!
    if (visit.depth > MAX_JSON_DEPTH) {
      throw badRequest(`the request body is nested more than ${MAX_JSON_DEPTH} levels deep (at ${pathOf(visit.parent)}); the daemon reads no deeper: send a flatter value`)
    }
    const container = visit.value as Record<string, unknown>
    for (const key of Object.keys(container)) {
      if (key === '__proto__' || (key === 'constructor' && isObject(container[key]) && Object.hasOwn(container[key], 'prototype'))) {
        throw badRequest(`the request body has a key named "${key === '__proto__' ? key : 'constructor.prototype'}" at ${pathOf(visit)}, which the daemon refuses (it could change how its objects behave); rename it`)
      }
      const value = container[key]
      if (typeof value === 'string') {
        if (isUnstorable(value)) container[key] = storable(value)
      } else if (isObject(value)) {
        stack.push({ value, depth: visit.depth + 1, parent: visit, key })
      }
      if (isUnstorable(key)) renameKey(container, key)
    }
  }
}

function renameKey(container: Record<string, unknown>, key: string): void {
  const fixed = storable(key)
  if (fixed === key) return
  const value = container[key]
  delete container[key]
  container[fixed] = value
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object'
}

/** Longest path a message shows: its keys come from the request. */
const MAX_PATH_CHARS = 200

/** `tasks.0.params`, or `the top level`. */
function pathOf(visit: Visit | undefined): string {
  const keys: string[] = []
  for (let at = visit; at?.parent; at = at.parent) keys.push(at.key)
  if (keys.length === 0) return 'the top level'
  const path = keys.reverse().join('.')
  return path.length > MAX_PATH_CHARS ? `${path.slice(0, MAX_PATH_CHARS)}…` : path
}

function badRequest(message: string): EtlError {
  return new EtlError('ETL_ERR_DAEMON_BAD_REQUEST', message)
}
