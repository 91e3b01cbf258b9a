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
  const auth = redshiftAuthClause(options.auth)
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

/** How COPY and UNLOAD name their S3 access: the IAM role, or keys. */
export function redshiftAuthClause(auth: RedshiftCopyAuth): string {
  return 'iamRole' in auth
    ? `iam_role ${literal(auth.iamRole)}`
    : `access_key_id ${literal(auth.accessKeyId)} secret_access_key ${literal(auth.secretAccessKey)}` + (auth.sessionToken ? ` session_token ${literal(auth.sessionToken)}` : '')
}

/**
 * `UNLOAD (…) TO 's3://…'` of a query's result as CSV with a header, in one file at a time
 * (`parallel off`: `<prefix>000.csv`, then `001.csv` past 6.2 GB), replacing what an earlier
 * attempt left.
 */
export function redshiftUnloadSql(options: { readonly query: string; readonly uri: string; readonly auth: RedshiftCopyAuth }): string {
  return [`unload (${literal(options.query)})`, `to ${literal(options.uri)}`, redshiftAuthClause(options.auth), `format csv`, `header`, `parallel off`, `allowoverwrite`, `extension 'csv'`].join('\n')
}
