import { Readable } from 'node:stream'
import type { ListObjectsV2CommandOutput, S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import { EtlError } from '../errors.js'
import { lazyImport } from '../util/lazy-import.js'
import { cutSecrets } from '../util/redact.js'
import type { S3LakeConfig } from './lake-config.js'
import { checkStorageKey } from './storage-key.js'
import { compareKeys } from './key-order.js'
import type { ListRange, Storage, StorageBody, StorageObject } from './storage.js'

/** The S3 client, loaded by the first call rather than by importing `etl`. */
const loadS3 = lazyImport(() => import('@aws-sdk/client-s3'))
type S3Sdk = Awaited<ReturnType<typeof loadS3>>
/** Multipart uploads, loaded by the first `put`. */
const loadUpload = lazyImport(async () => (await import('@aws-sdk/lib-storage')).Upload)

const MIB = 1024 * 1024
/** Parts uploaded at once during a multipart upload: memory is about this many parts. */
const UPLOAD_QUEUE = 2
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET', 'TimeoutError'])
const DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'Forbidden', 'CredentialsProviderError'])

/**
 * The lake in S3. Large objects go up as multipart uploads in bounded parts, so memory stays flat; S3
 * shows an object only once its upload completed, and a failed upload is aborted, leaving nothing.
 */
export class S3Storage implements Storage {
  readonly listingPays = true
  readonly bucket: string
  readonly prefix: string
  readonly location: string
  readonly #clientConfig: S3ClientConfig
  #client: S3Client | undefined
  readonly #partSize: number
  readonly #secrets: readonly string[]

  constructor(config: Omit<S3LakeConfig, 'type'>) {
    this.bucket = config.bucket
    this.prefix = config.prefix ? `${config.prefix.replace(/^\/+|\/+$/g, '')}/` : ''
    if (this.prefix === '/') this.prefix = ''
    this.location = `s3://${this.bucket}/${this.prefix}`
    this.#partSize = Math.round((config.partSizeMb ?? 8) * MIB)
    this.#secrets = [config.secretAccessKey, config.sessionToken].filter((value): value is string => Boolean(value))
    // The SDK is loaded and the client made by the first call.
    this.#clientConfig = {
      region: config.region ?? 'us-east-1',
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
      maxAttempts: config.maxAttempts ?? 3,
      credentials: config.accessKeyId && config.secretAccessKey ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, sessionToken: config.sessionToken } : undefined,
      // Checksums only where S3 requires them: S3-protocol servers other than AWS often reject the
      // newer default trailers on streamed uploads.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }
  }

  async put(key: string, body: StorageBody): Promise<{ readonly size: number }> {
    const Key = this.#key(key)
    let size = 0
    const [{ client }, Upload] = await Promise.all([this.#sdk(), loadUpload()])
    const counted = Readable.from(countBytes(toChunks(body), (n) => (size += n)), { objectMode: false })
    const upload = new Upload({ client, params: { Bucket: this.bucket, Key, Body: counted }, partSize: this.#partSize, queueSize: UPLOAD_QUEUE, leavePartsOnError: false })
    try {
      await upload.done()
    } catch (error) {
      throw this.#error(error, key, 'write')
    }
    return { size }
  }

  async get(key: string): Promise<Readable> {
    try {
      const { client, sdk } = await this.#sdk()
      const response = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }))
      return response.Body as Readable
    } catch (error) {
      throw this.#error(error, key, 'read')
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      const { client, sdk } = await this.#sdk()
      await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }))
      return true
    } catch (error) {
      if (isNotFound(error) && errorName(error) !== 'NoSuchBucket') return false
      throw this.#error(error, key, 'check')
    }
  }

  async list(prefix = '', range: ListRange = {}): Promise<StorageObject[]> {
    checkStorageKey(prefix, this.location, true)
    const found: StorageObject[] = []
    const startAfter = range.startAfter === undefined ? undefined : this.prefix + range.startAfter
    let token: string | undefined
    do {
      let page: ListObjectsV2CommandOutput
      try {
        const { client, sdk } = await this.#sdk()
        page = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token, StartAfter: token ? undefined : startAfter }))
      } catch (error) {
        throw this.#error(error, prefix, 'list')
      }
      let past = false
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue
        const key = item.Key.slice(this.prefix.length)
        if (range.endAt !== undefined && compareKeys(key, range.endAt) > 0) {
          past = true
          break
        }
        found.push({ key, size: item.Size ?? 0, lastModified: item.LastModified })
      }
      // Pages come in key order: once one goes past the range, the rest are past it too.
      token = page.IsTruncated && !past ? page.NextContinuationToken : undefined
    } while (token)
    return found
  }

  async delete(key: string): Promise<void> {
    try {
      const { client, sdk } = await this.#sdk()
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }))
    } catch (error) {
      if (!isNotFound(error)) throw this.#error(error, key, 'delete')
    }
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${this.#key(key)}`
  }

  async close(): Promise<void> {
    this.#client?.destroy()
  }

  async #sdk(): Promise<{ client: S3Client; sdk: S3Sdk }> {
    const sdk = await loadS3()
    this.#client ??= new sdk.S3Client(this.#clientConfig)
    return { client: this.#client, sdk }
  }

  #key(key: string): string {
    return this.prefix + checkStorageKey(key, this.location)
  }

  #error(error: unknown, key: string, action: string): EtlError {
    const name = errorName(error)
    const detail = this.#redact(error instanceof Error ? error.message || name : String(error))
    const what = `cannot ${action} "${key}" in ${this.location}`
    if (name === 'NoSuchBucket') return new EtlError('ETL_ERR_LAKE_NOT_FOUND', `${what}: bucket "${this.bucket}" does not exist; create it or fix "lake.bucket"`, { cause: error })
    if (isNotFound(error)) return new EtlError('ETL_ERR_LAKE_NOT_FOUND', `${what}: there is no such object; check the key, or run the task that writes it first`, { cause: error })
    if (DENIED.has(name)) return new EtlError('ETL_ERR_LAKE_ACCESS_DENIED', `${what}: access denied (${name}: ${detail}); check "lake.accessKeyId" and "lake.secretAccessKey" or the role's permissions`, { cause: error })
    if (UNREACHABLE.has(name) || UNREACHABLE.has(String((error as { code?: unknown }).code))) {
      return new EtlError('ETL_ERR_LAKE_UNREACHABLE', `${what}: cannot reach S3 (${detail}); check "lake.endpoint" and "lake.region" and the network`, { cause: error })
    }
    return new EtlError('ETL_ERR_LAKE_UNREACHABLE', `${what}: ${name}: ${detail}`, { cause: error })
  }

  #redact(text: string): string {
    return cutSecrets(text, this.#secrets)
  }
}

function errorName(error: unknown): string {
  const named = error as { name?: unknown; Code?: unknown; code?: unknown } | null
  return String(named?.Code ?? named?.name ?? named?.code ?? 'Error')
}

function isNotFound(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
  const name = errorName(error)
  return status === 404 || name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket'
}

async function* toChunks(body: StorageBody): AsyncGenerator<Buffer> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    yield Buffer.from(body)
    return
  }
  for await (const chunk of body) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array | string)
}

async function* countBytes(chunks: AsyncIterable<Buffer>, add: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    add(chunk.length)
    yield chunk
  }
}
