import { cutSecrets } from '../util/redact.js'

/**
 * How errors and logs name a connection: its config name, its dialect and where it points, plus the
 * secrets that must never appear in anything shown (they are cut out of driver messages).
 */
export interface ConnectionLabel {
  /** The connection's name in the config (`source`, `warehouse`). */
  readonly name: string
  readonly dialect: string
  /** `user@host:port/database`, a folder, or a workgroup: never a password. */
  readonly where: string
  /** Values to cut out of any message: passwords, secret keys. */
  readonly secrets: readonly string[]
}

/** `connection "source" (mysql root@127.0.0.1:3306/shop)`. */
export function describeConnection(label: ConnectionLabel): string {
  return `connection "${label.name}" (${label.dialect} ${label.where})`
}

/** `text` with every secret of `label` replaced by `***`. */
export function redactIn(text: string, label: ConnectionLabel): string {
  return cutSecrets(text, label.secrets)
}
