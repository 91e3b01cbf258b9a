import { EtlError } from '../errors.js'
import { TOKEN_ENV } from './action-token.js'

/** The environment variable workers and the daemon read the worker token from when the config has none. */
export const WORKER_TOKEN_ENV = 'ETL_WORKER_TOKEN'

/** Shorter tokens can be guessed: a 2-character one was found in well under a second. */
export const MIN_TOKEN_CHARS = 16

/** The `scheduler` keys that hold the tokens. */
export interface TokenSection {
  token?: string | undefined
  workerToken?: string | undefined
}

/** The daemon's two secrets: the UI's action token, and the token every worker call must carry. */
export interface DaemonTokens {
  readonly action: string | undefined
  /** The worker token; the action token when none is set of its own, so one secret secures both. */
  readonly worker: string | undefined
}

/**
 * The tokens from the config's `scheduler` section, then the environment. A token shorter than
 * {@link MIN_TOKEN_CHARS} is refused, naming where it came from and how to make a good one.
 */
export function daemonTokens(section: TokenSection, env: NodeJS.ProcessEnv, overrides: { action?: string | undefined } = {}): DaemonTokens {
  const action = checked(overrides.action ?? section.token ?? (env[TOKEN_ENV] || undefined), section.token !== undefined ? 'scheduler.token' : TOKEN_ENV)
  const own = checked(section.workerToken ?? (env[WORKER_TOKEN_ENV] || undefined), section.workerToken !== undefined ? 'scheduler.workerToken' : WORKER_TOKEN_ENV)
  return { action, worker: own ?? action }
}

/** The token a worker presents: the same lookup as the daemon's, without the length check (the daemon refuses a bad one). */
export function workerTokenFor(section: TokenSection | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return section?.workerToken ?? (env[WORKER_TOKEN_ENV] || undefined) ?? section?.token ?? (env[TOKEN_ENV] || undefined)
}

function checked(token: string | undefined, source: string): string | undefined {
  if (token === undefined || token.length >= MIN_TOKEN_CHARS) return token
  throw new EtlError(
    'ETL_ERR_CONFIG_INVALID',
    `the token in ${source} is ${token.length} characters; use at least ${MIN_TOKEN_CHARS} random ones (for example the output of \`openssl rand -hex 16\`)`,
  )
}
