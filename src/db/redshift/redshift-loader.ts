import { randomUUID } from 'node:crypto'
import { EtlError } from '../../errors.js'
import type { Storage } from '../../lake/storage.js'
import { describeConnection, type ConnectionLabel } from '../connection-label.js'
import type { BulkLoadOptions, BulkLoadResult, CsvSource } from '../database.js'
import { planLoad } from '../load-plan.js'
import type { ColumnDescription } from '../column-type.js'
import { tableLabel, type TableRef } from '../table-ref.js'
import type { RedshiftConnectionConfig } from './redshift-config.js'
import { redshiftDialect } from './redshift-dialect.js'
import { redshiftCopySql, type RedshiftCopyAuth } from './redshift-copy-sql.js'

/** Where streamed loads are staged in the lake before COPY reads them; deleted after the load. */
const STAGING_FOLDER = '_staging/redshift'

/** Runs one statement in the load's context (a session, or on its own). */
export type RunStatement = (text: string) => Promise<{ rowCount: number }>

/**
 * Bulk loads into Redshift: COPY reads S3, so a CSV stream is first staged as an object in the (S3)
 * lake, loaded, and deleted.
 * @internal
 */
export class RedshiftLoader {
  readonly #config: RedshiftConnectionConfig
  readonly #label: ConnectionLabel
  readonly #staging: Storage | undefined

  constructor(config: RedshiftConnectionConfig, label: ConnectionLabel, staging: Storage | undefined) {
    this.#config = config
    this.#label = label
    this.#staging = staging
  }

  /** COPY auth from the config; an error naming the fix when there is none. */
  auth(table: TableRef): RedshiftCopyAuth {
    return this.s3Auth(`COPY into "${tableLabel(table)}"`)
  }

  /** S3 access for COPY or UNLOAD from the config (`what` says which, for the error); an error naming the fix when there is none. */
  s3Auth(what: string): RedshiftCopyAuth {
    const config = this.#config
    if (config.iamRole) return { iamRole: config.iamRole }
    if (config.copyAccessKeyId && config.copySecretAccessKey) {
      return { accessKeyId: config.copyAccessKeyId, secretAccessKey: config.copySecretAccessKey, sessionToken: config.copySessionToken }
    }
    throw new EtlError(
      'ETL_ERR_DB_NOT_SUPPORTED',
      `cannot ${what} on ${describeConnection(this.#label)}: it needs S3 access; set "connections.${this.#label.name}.iamRole" (or copyAccessKeyId and copySecretAccessKey)`,
    )
  }

  async load(
    table: TableRef,
    csv: CsvSource,
    options: BulkLoadOptions | undefined,
    describe: () => Promise<readonly ColumnDescription[]>,
    run: RunStatement,
  ): Promise<BulkLoadResult> {
    const auth = this.auth(table)
    const staging = this.#staging
    if (!staging || !staging.uri('x').startsWith('s3://')) {
      throw new EtlError(
        'ETL_ERR_DB_NOT_SUPPORTED',
        `cannot bulk load a stream into "${tableLabel(table)}" on ${describeConnection(this.#label)}: Redshift COPY reads only S3, and the lake is not in S3; set "lake": { "type": "s3", ... } or load with copyFromUri`,
      )
    }
    const plan = await planLoad(this.#label, table, describe, csv, options)
    const key = `${STAGING_FOLDER}/${randomUUID()}.csv`
    await staging.put(key, plan.body)
    try {
      const text = this.copySql(table, plan.columns.map((column) => column.name), staging.uri(key), false, auth)
      const { rowCount } = await run(text)
      return { rows: rowCount }
    } finally {
      await staging.delete(key).catch(() => undefined)
    }
  }

  copySql(table: TableRef, columns: readonly string[], uri: string, header: boolean, auth: RedshiftCopyAuth): string {
    const quoted = columns.map((column) => redshiftDialect.quoteIdentifier(column))
    return redshiftCopySql({ table: redshiftDialect.quoteTable(table), columns: quoted, uri, auth, header, region: this.#config.copyRegion })
  }
}
