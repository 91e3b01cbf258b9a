import { SECRET_MASK } from '../core/secret-mask.js'
import { MASK } from '../util/redact.js'

/** Parameters to pass to a new process, and the names of those left off because their values are masks. */
export interface PassedParams {
  readonly params: Record<string, string>
  readonly maskedParams: string[]
}

/**
 * Splits parameters as the daemon holds them (a rerun's, a backfill's from a group) into those a
 * new `etl` process is given and those it must resolve from its own config and environment: the
 * secrets workers sent as `••••`, and values the daemon's redaction masked on the way in. A mask
 * passed on as a value would replace the secret the run takes from its config.
 */
export function withoutMasks(given: Readonly<Record<string, string>>): PassedParams {
  const params: Record<string, string> = {}
  const maskedParams: string[] = []
  for (const [name, value] of Object.entries(given)) {
    if (value === SECRET_MASK || value.includes(MASK)) maskedParams.push(name)
    else params[name] = value
  }
  return { params, maskedParams }
}
