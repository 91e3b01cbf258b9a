import { z } from 'zod'
import { field } from '../config/schema-helpers.js'

/** The lake as a local folder: `{ "type": "local", "path": "lake" }`. */
export const localLakeSchema = z.strictObject({
  type: z.literal('local'),
  /** @defaultValue 'lake' */
  path: field.string().optional(),
})

/**
 * The lake in an S3 bucket (or any S3-protocol server, with `endpoint`). Without `accessKeyId`, the
 * AWS SDK's usual sources apply (environment, profile, instance role).
 *
 * ```json
 * "lake": { "type": "s3", "bucket": "acme-lake", "prefix": "etl", "region": "eu-west-1" }
 * ```
 */
export const s3LakeSchema = z.strictObject({
  type: z.literal('s3'),
  bucket: field.string(),
  /** A folder inside the bucket every key goes under. @defaultValue none */
  prefix: z.string({ error: 'expected a string' }).optional(),
  /** @defaultValue 'us-east-1' */
  region: field.string().optional(),
  /** An S3-protocol server other than AWS, e.g. `http://127.0.0.1:9000`. */
  endpoint: z.url({ error: 'expected a URL such as http://127.0.0.1:9000' }).optional(),
  /** Address buckets as `endpoint/bucket` rather than `bucket.endpoint`. @defaultValue true with an endpoint */
  forcePathStyle: field.bool().optional(),
  accessKeyId: field.string().optional(),
  /** Give it as a `${ENV}` reference; it never reaches a log line or an error message. */
  secretAccessKey: field.string().optional(),
  sessionToken: field.string().optional(),
  /** Multipart part size for large objects, at least 5 (S3's minimum). @defaultValue 8 */
  partSizeMb: field.number(5).optional(),
  /** Tries per request before an error. @defaultValue 3 */
  maxAttempts: field.positiveInt().optional(),
})

/** The `lake` section of `etl.config.json`. @defaultValue `{ "type": "local", "path": "lake" }` */
export const lakeSchema = z.discriminatedUnion('type', [localLakeSchema, s3LakeSchema], { error: 'expected "type": "local" or "type": "s3"' })

export type LocalLakeConfig = z.infer<typeof localLakeSchema>
export type S3LakeConfig = z.infer<typeof s3LakeSchema>
export type LakeConfig = z.infer<typeof lakeSchema>
