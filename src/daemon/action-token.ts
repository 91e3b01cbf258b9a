import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { EtlError } from '../errors.js'

/** The environment variable the daemon reads its action token from when the config has none. */
export const TOKEN_ENV = 'ETL_SCHEDULER_TOKEN'

/**
 * Lets an action through only with the configured token (`Authorization: Bearer <token>`). Without a
 * configured token every action is refused: a daemon nobody secured changes nothing on request.
 */
export function requireToken(request: FastifyRequest, token: string | undefined): void {
  if (token === undefined) {
    throw new EtlError(
      'ETL_ERR_DAEMON_TOKEN_MISSING',
      `actions are disabled because the daemon has no token: set scheduler.token in etl.config.json (as "\${${TOKEN_ENV}}") or the ${TOKEN_ENV} environment variable, and restart it`,
    )
  }
  const header = request.headers.authorization
  const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined
  if (!given || !sameSecret(given, token)) {
    throw new EtlError('ETL_ERR_DAEMON_TOKEN_INVALID', 'the action token is missing or wrong: enter the token from the daemon\'s config or its ETL_SCHEDULER_TOKEN')
  }
}

/** Compares in constant time, so the answer's timing says nothing about the token. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(given), digest(expected))
}
