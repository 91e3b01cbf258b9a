/**
 * What a secret parameter's value is shown and sent as, everywhere: the summary, logs, markers, the
 * central scheduler and its UI. Not `***`, which the daemon's own redaction writes, so a reader can
 * tell "etl never had it here" from "the daemon hid it".
 */
export const SECRET_MASK = '••••'

/**
 * Parameters as the central scheduler recorded them, without the masked ones: a task rerun from them
 * resolves its secrets again from the config and the environment, as any run does, rather than
 * taking the mask for the value.
 *
 * ```ts
 * withoutMaskedSecrets({ table: 'orders', password: '••••' }) // { table: 'orders' }
 * ```
 */
export function withoutMaskedSecrets<V>(params: Readonly<Record<string, V>>): Record<string, V> {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== SECRET_MASK))
}
