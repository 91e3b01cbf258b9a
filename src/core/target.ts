/**
 * Something a task produces. `exists()` is the only required method: a task is complete, by default,
 * when every target it outputs exists.
 */
export interface Target {
  /** True when the data this target stands for is fully there. */
  exists(): Promise<boolean>
  /**
   * Deletes the target so the task that produces it runs again (`etl invalidate`, and cleanup after a
   * failed attempt). Targets that cannot be removed leave it out.
   */
  remove?(): Promise<void>
  /** Where the target lives, for logs and `etl deps`. */
  toString(): string
}

/** True for any object shaped like a `Target`. */
export function isTarget(value: unknown): value is Target {
  return typeof value === 'object' && value !== null && typeof (value as Target).exists === 'function'
}
