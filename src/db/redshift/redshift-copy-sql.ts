/** How Redshift's COPY authenticates to S3. */
export type RedshiftCopyAuth =
  | { readonly iamRole: string }
  | { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string | undefined }

export interface RedshiftCopyOptions {
  /** The quoted target table. */
  readonly table: string
  /** The quoted columns, in the file's order. */
  readonly columns: readonly string[]
  /** `s3://bucket/key` of one object, or a prefix that matches several. */
  readonly uri: string
  readonly auth: RedshiftCopyAuth
  /** The file starts with a header record. */
  readonly header: boolean
  /** The bucket's region, when it differs from the cluster's. */
  readonly region?: string | undefined
}

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`

/**
 * `COPY … FROM 's3://…'` for the lake's CSV: RFC 4180 (`format as csv`), an empty unquoted field
 * loaded as NULL for every column type (`emptyasnull`) while `""` stays the empty string. Statistics and compression analysis are off: landing tables are
 * reloaded often and analysed separately.
 */
export function redshiftCopySql(options: RedshiftCopyOptions): string {
  const auth =
    'iamRole' in options.auth
      ? `iam_role ${literal(options.auth.iamRole)}`
      : `access_key_id ${literal(options.auth.accessKeyId)} secret_access_key ${literal(options.auth.secretAccessKey)}` +
        (options.auth.sessionToken ? ` session_token ${literal(options.auth.sessionToken)}` : '')
  return [
    `copy ${options.table} (${options.columns.join(', ')})`,
    `from ${literal(options.uri)}`,
    auth,
    `format as csv`,
    ...(options.header ? ['ignoreheader 1'] : []),
    `emptyasnull`,
    ...(options.region ? [`region ${literal(options.region)}`] : []),
    `compupdate off statupdate off`,
  ].join('\n')
}
