import { z } from 'zod'
import { field } from '../../config/schema-helpers.js'

/**
 * Amazon Redshift through the Redshift Data API (no driver connection: statements are HTTPS calls).
 * Name a Serverless workgroup or a provisioned cluster (with `dbUser` or `secretArn`). Bulk loads use
 * `COPY … FROM 's3://…'` with `iamRole`, or with `copyAccessKeyId`/`copySecretAccessKey`.
 *
 * ```json
 * "warehouse": { "dialect": "redshift", "workgroupName": "etl", "database": "dev", "region": "eu-west-1",
 *                "iamRole": "arn:aws:iam::123456789012:role/redshift-copy" }
 * ```
 */
export const redshiftConnectionSchema = z.strictObject({
  dialect: z.literal('redshift'),
  database: field.string(),
  /** Redshift Serverless workgroup. */
  workgroupName: field.string().optional(),
  /** Provisioned cluster. */
  clusterIdentifier: field.string().optional(),
  /** Database user for temporary credentials on a provisioned cluster. */
  dbUser: field.string().optional(),
  /** Secrets Manager secret holding the database credentials. */
  secretArn: field.string().optional(),
  /** @defaultValue 'us-east-1' */
  region: field.string().optional(),
  /** A Data API endpoint other than AWS's (tests, VPC endpoints). */
  endpoint: z.url({ error: 'expected a URL' }).optional(),
  /** Credentials for the Data API calls; without them the AWS SDK's usual sources apply. */
  accessKeyId: field.string().optional(),
  secretAccessKey: field.string().optional(),
  sessionToken: field.string().optional(),
  /** Role Redshift assumes to read S3 during COPY. */
  iamRole: field.string().optional(),
  /** Keys Redshift uses to read S3 during COPY when there is no role. */
  copyAccessKeyId: field.string().optional(),
  copySecretAccessKey: field.string().optional(),
  copySessionToken: field.string().optional(),
  /** Region of the bucket COPY reads, when it differs from the cluster's. */
  copyRegion: field.string().optional(),
  /** Time between DescribeStatement polls. @defaultValue 250 */
  pollIntervalMs: field.positiveInt().optional(),
  /** A statement still running after this long is cancelled and fails. @defaultValue 3600000 (1 hour) */
  statementTimeoutMs: field.positiveInt().optional(),
})

export type RedshiftConnectionConfig = z.infer<typeof redshiftConnectionSchema>
