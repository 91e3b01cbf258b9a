import type { Field, RedshiftDataClient } from '@aws-sdk/client-redshift-data'
import { EtlError } from '../../errors.js'
import { lazyImport } from '../../util/lazy-import.js'
import { describeConnection, redactIn, type ConnectionLabel } from '../connection-label.js'
import { connectionError } from '../database-errors.js'
import type { RowBatch } from '../row-batch.js'
import type { RedshiftConnectionConfig } from './redshift-config.js'
import { keepLongValuesExact } from './redshift-long-values.js'
import { redshiftParameter } from './redshift-parameter.js'

/** The Data API client, loaded by the first statement rather than by importing `etl`. */
const loadSdk = lazyImport(() => import('@aws-sdk/client-redshift-data'))
type Sdk = Awaited<ReturnType<typeof loadSdk>>

/** How long a session stays open between the statements of a transaction. */
export const SESSION_KEEP_ALIVE_SECONDS = 600
/** ColumnMetadata type names of 64-bit integer columns. */
const BIGINT_TYPES = new Set(['int8', 'bigint'])
/** Errors that mean the Data API itself could not be reached or refused the caller. */
const DENIED = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'CredentialsProviderError'])

/** A statement that finished: its id and whether it returned rows. */
export interface FinishedStatement {
  readonly id: string
  readonly hasResultSet: boolean
  readonly rowCount: number
  readonly sessionId: string | undefined
}

/**
 * The Data API calls behind the Redshift dialect: submit (ExecuteStatement, BatchExecuteStatement),
 * poll DescribeStatement until the statement ends, page through GetStatementResult. A failed statement
 * raises Redshift's own message for it.
 * @internal
 */
export class RedshiftStatements {
  #client: RedshiftDataClient | undefined
  readonly #config: RedshiftConnectionConfig
  readonly #label: ConnectionLabel

  /** Makes no client yet: the SDK is loaded and the client made by the first call. */
  constructor(config: RedshiftConnectionConfig, label: ConnectionLabel) {
    this.#config = config
    this.#label = label
  }

  /**
   * Runs one statement and waits for it. With `session: 'start'` a session is opened and kept alive
   * (for a transaction's later statements); with a session id the statement runs in that session.
   */
  async execute(text: string, values: readonly unknown[], session?: 'start' | string): Promise<FinishedStatement> {
    const target = typeof session === 'string' && session !== 'start' ? { SessionId: session } : this.#target()
    const submitted = await this.#send(
      (client, sdk) => client.send(new sdk.ExecuteStatementCommand({
        ...target,
        Sql: text,
        Parameters: values.length > 0 ? values.map(redshiftParameter) : undefined,
        SessionKeepAliveSeconds: session === undefined ? undefined : SESSION_KEEP_ALIVE_SECONDS,
      })),
      text,
    )
    const finished = await this.#wait(submitted.Id as string, text)
    return { ...finished, sessionId: submitted.SessionId ?? finished.sessionId }
  }

  /** Runs several statements as one transaction (BatchExecuteStatement): all commit or none does. */
  async batch(texts: readonly string[]): Promise<FinishedStatement> {
    const shown = texts.join(';\n')
    const submitted = await this.#send((client, sdk) => client.send(new sdk.BatchExecuteStatementCommand({ ...this.#target(), Sqls: [...texts] })), shown)
    return this.#wait(submitted.Id as string, shown)
  }

  /** The rows of a finished statement, a page at a time. */
  async *results(id: string): AsyncGenerator<RowBatch> {
    let token: string | undefined
    do {
      const page = await this.#send((client, sdk) => client.send(new sdk.GetStatementResultCommand({ Id: id, NextToken: token })), `results of ${id}`)
      const metadata = page.ColumnMetadata ?? []
      const columns = metadata.map((column) => column.name ?? column.label ?? '')
      const bigint = metadata.map((column) => BIGINT_TYPES.has(column.typeName?.toLowerCase() ?? ''))
      yield { columns, rows: (page.Records ?? []).map((record) => record.map((field, index) => fieldValue(field, bigint[index] === true))) }
      token = page.NextToken
    } while (token)
  }

  destroy(): void {
    this.#client?.destroy()
  }

  #target() {
    const config = this.#config
    return { Database: config.database, WorkgroupName: config.workgroupName, ClusterIdentifier: config.clusterIdentifier, DbUser: config.dbUser, SecretArn: config.secretArn }
  }

  async #wait(id: string, text: string): Promise<FinishedStatement> {
    const deadline = Date.now() + (this.#config.statementTimeoutMs ?? 3_600_000)
    const interval = this.#config.pollIntervalMs ?? 250
    for (let delay = Math.min(interval, 50); ; delay = Math.min(delay * 2, interval)) {
      const status = await this.#send((client, sdk) => client.send(new sdk.DescribeStatementCommand({ Id: id })), text)
      switch (status.Status) {
        case 'FINISHED':
          return { id, hasResultSet: status.HasResultSet === true, rowCount: Math.max(status.ResultRows ?? 0, 0), sessionId: status.SessionId }
        case 'FAILED':
        case 'ABORTED':
          throw this.#failed(status.Error ?? `statement ${status.Status.toLowerCase()}`, text)
      }
      if (Date.now() > deadline) {
        await this.#send((client, sdk) => client.send(new sdk.CancelStatementCommand({ Id: id })), text).catch(() => undefined)
        throw this.#failed(`still running after ${this.#config.statementTimeoutMs ?? 3_600_000} ms; cancelled (raise "statementTimeoutMs" if it needs longer)`, text)
      }
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }

  async #send<O>(call: (client: RedshiftDataClient, sdk: Sdk) => Promise<O>, text: string): Promise<O> {
    try {
      const sdk = await loadSdk()
      return await call(this.#clientOf(sdk), sdk)
    } catch (error) {
      const name = (error as { name?: string }).name ?? ''
      if (DENIED.has(name) || (error as { code?: string }).code === 'ECONNREFUSED' || /ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(String((error as Error).message))) {
        throw connectionError({ ...this.#label }, Object.assign(error as Error, { code: DENIED.has(name) ? 'ER_ACCESS_DENIED_ERROR' : 'ECONNREFUSED' }))
      }
      throw this.#failed(`${name}: ${(error as Error).message}`, text, error)
    }
  }

  #clientOf(sdk: Sdk): RedshiftDataClient {
    const config = this.#config
    if (this.#client) return this.#client
    const client = new sdk.RedshiftDataClient({
      region: config.region ?? 'us-east-1',
      endpoint: config.endpoint,
      credentials: config.accessKeyId && config.secretAccessKey ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, sessionToken: config.sessionToken } : undefined,
    })
    keepLongValuesExact(client)
    return (this.#client = client)
  }

  #failed(message: string, text: string, cause?: unknown): EtlError {
    const shown = redactIn(text.replace(/\s+/g, ' ').trim().slice(0, 200), this.#label)
    const code = /does not exist/.test(message) && /relation|table/i.test(message) ? 'ETL_ERR_DB_TABLE_MISSING' : 'ETL_ERR_DB_QUERY_FAILED'
    return new EtlError(code, `${describeConnection(this.#label)}: ${redactIn(message, this.#label)}\n  in: ${shown}`, cause === undefined ? undefined : { cause })
  }
}

/**
 * A Data API field as a JavaScript value: text stays text, NULL is null. A BIGINT column's values are
 * strings, as the other dialects return them: those past 2^53 already arrive as text (see
 * `redshift-long-values.ts`), the rest are written out the same way so a column has one type.
 */
function fieldValue(field: Field, bigint: boolean): unknown {
  if (field.isNull) return null
  if (field.stringValue !== undefined) return field.stringValue
  if (field.longValue !== undefined) return bigint ? String(field.longValue) : field.longValue
  if (field.doubleValue !== undefined) return field.doubleValue
  if (field.booleanValue !== undefined) return field.booleanValue
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue)
  return null
}
