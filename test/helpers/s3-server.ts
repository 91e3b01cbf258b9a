import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import type { S3LakeConfig } from '../../src/lake/lake-config.js'

/** A real S3-protocol server (s3rver) on loopback, storing objects in a temp folder. */
export interface S3TestServer {
  readonly endpoint: string
  /** A lake config for a bucket on this server (the bucket is created). */
  lake(bucket: string, prefix?: string): Promise<S3LakeConfig>
  stop(): Promise<void>
}

/** s3rver's fixed credentials: it accepts any request signed with them. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

export async function startS3Server(): Promise<S3TestServer> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-s3-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory })
  const { port } = (await server.run()) as { port: number }
  const endpoint = `http://127.0.0.1:${port}`
  return {
    endpoint,
    async lake(bucket, prefix) {
      // A copy: the SDK marks the credentials object it is given (`$source`), which would then leak
      // into the lake config below and fail the config file's validation.
      const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { ...CREDENTIALS } })
      await client.send(new CreateBucketCommand({ Bucket: bucket }))
      client.destroy()
      // The lake's default retries stay on, as in production: s3rver closes idle keep-alive sockets
      // after Node's 5 s keepAliveTimeout, and a request the client sends on one as it closes fails
      // with ECONNRESET. With `maxAttempts: 1` that reset failed whichever test was using the lake.
      return { type: 's3', bucket, prefix, region: 'us-east-1', endpoint, forcePathStyle: true, ...CREDENTIALS }
    },
    async stop() {
      await server.close()
      await fs.rm(directory, { recursive: true, force: true })
    },
  }
}
