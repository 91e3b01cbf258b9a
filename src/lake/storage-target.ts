import type { Target } from '../core/target.js'
import type { Storage } from './storage.js'

/**
 * An object in the lake as a task's output: it exists once the object was written completely.
 *
 * ```ts
 * output() { return new StorageTarget(lake, `landing/orders/seq=${this.params.seq}/orders.csv`) }
 * ```
 */
export class StorageTarget implements Target {
  readonly storage: Storage
  readonly key: string

  constructor(storage: Storage, key: string) {
    this.storage = storage
    this.key = key
  }

  exists(): Promise<boolean> {
    return this.storage.exists(this.key)
  }

  remove(): Promise<void> {
    return this.storage.delete(this.key)
  }

  toString(): string {
    return this.storage.uri(this.key)
  }
}
