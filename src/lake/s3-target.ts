import type { S3Storage } from './s3-storage.js'
import { StorageTarget } from './storage-target.js'

/**
 * An object in S3 as a task's output (Luigi's `S3Target`): it exists once the object was uploaded
 * completely. `toString()` is its `s3://bucket/key` address.
 *
 * ```ts
 * output() { return new S3Target(lake, `landing/orders/seq=${this.params.seq}/orders.csv`) }
 * ```
 */
export class S3Target extends StorageTarget {
  constructor(storage: S3Storage, key: string) {
    super(storage, key)
  }

  /** The bucket the object is in. */
  get bucket(): string {
    return (this.storage as S3Storage).bucket
  }
}
