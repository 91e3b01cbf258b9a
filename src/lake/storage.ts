import type { Readable } from 'node:stream'

/** What the lake stores under a key. */
export interface StorageObject {
  /** The key, relative to the lake's root (or prefix). */
  readonly key: string
  /** Bytes. */
  readonly size: number
  readonly lastModified: Date | undefined
}

/** The keys a listing is asked for: after `startAfter` (exclusive), up to `endAt` (inclusive). */
export interface ListRange {
  readonly startAfter?: string
  readonly endAt?: string
}

/** The bytes for a put: text, bytes, a stream or any async iterable of chunks. */
export type StorageBody = string | Uint8Array | Readable | AsyncIterable<Buffer | Uint8Array | string>

/**
 * The lake: a local folder or an S3 bucket, behind the same streaming operations. Keys are relative
 * paths with `/` between parts (`landing/orders/seq=3/orders.csv`). An object appears under its key
 * only once it is complete, so a reader never sees half a file and a crash leaves nothing behind.
 *
 * ```ts
 * await ctx.lake.put(`landing/orders/seq=${seq}/orders.csv`, source.extractCsv(sql`select * from orders`))
 * await warehouse.bulkLoad('landing.orders', await ctx.lake.get(`landing/orders/seq=${seq}/orders.csv`))
 * ```
 */
export interface Storage {
  /** Where the lake lives, for messages: `lake/` or `s3://bucket/prefix/`. */
  readonly location: string
  /**
   * True where one listing costs less than an existence check per object (S3, where each check is
   * a request), so bulk completeness checks list it; a local folder answers a check per file faster.
   */
  readonly listingPays?: boolean
  /** Writes `body` under `key`, replacing what was there once it is complete. Resolves with the bytes written. */
  put(key: string, body: StorageBody): Promise<{ readonly size: number }>
  /** Streams the object under `key`. Throws `ETL_ERR_LAKE_NOT_FOUND` if there is none. */
  get(key: string): Promise<Readable>
  exists(key: string): Promise<boolean>
  /**
   * Every object whose key starts with `prefix`, in key order. `range` is a hint that only keys
   * after `range.startAfter` and up to `range.endAt` are wanted, so a store that lists by pages (S3)
   * can start and stop there; a store may return more, and callers filter.
   */
  list(prefix?: string, range?: ListRange): Promise<StorageObject[]>
  /** Deletes the object under `key`; nothing happens if there is none. */
  delete(key: string): Promise<void>
  /** The object's address outside this process: a file path, or `s3://bucket/prefix/key`. */
  uri(key: string): string
  /** Releases clients and sockets. */
  close(): Promise<void>
}
