/**
 * A module loaded on first use: `load` (a dynamic `import()`) runs on the first call and every later
 * call shares its promise, so importing `etl` does not pay for drivers a run never touches. A load
 * that failed is tried again on the next call.
 *
 * ```ts
 * const loadPg = lazyImport(() => import('pg'))
 * const { default: pg } = await loadPg()
 * ```
 */
export function lazyImport<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined
      throw error
    }))
}
