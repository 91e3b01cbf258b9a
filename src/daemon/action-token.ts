import type { FastifyRequest } from 'fastify'
import { EtlError } from '../errors.js'
import type { TokenGuard } from './token-guard.js'

/** The environment variable the daemon reads its action token from when the config has none. */
export const TOKEN_ENV = 'ETL_SCHEDULER_TOKEN'

/**
 * Lets an action through only with the configured token (`Authorization: Bearer <token>`). Without a
 * configured token every action is refused: a daemon nobody secured changes nothing on request.
 */
export async function requireToken(request: FastifyRequest, token: string | undefined, guard: TokenGuard): Promise<void> {
  if (token === undefined) {
    throw new EtlError(
      'ETL_ERR_DAEMON_TOKEN_MISSING',
      `actions are disabled because the daemon has no token: set scheduler.token in etl.config.json (as "\${${TOKEN_ENV}}") or the ${TOKEN_ENV} environment variable, and restart it`,
    )
  }
  await guard.check(request, token, 'action')
}
