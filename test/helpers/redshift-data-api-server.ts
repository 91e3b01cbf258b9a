import { randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import pg from 'pg'
import { from as copyFrom, to as copyTo } from 'pg-copy-streams'

/** Where the fake Redshift reads `COPY … FROM 's3://…'` objects. */
export interface FakeS3 {
  endpoint: string
  accessKeyId: string
  secretAccessKey: string
}

interface StatementState {
  status: 'STARTED' | 'FINISHED' | 'FAILED'
  error?: string
  columns: string[]
  /** Each column's type OID, from which the page's field kinds and type names follow. */
  types: number[]
  rows: unknown[][]
  resultRows: number
  hasResultSet: boolean
  sessionId: string | undefined
  polls: number
}

/** Rows per GetStatementResult page: small, so paging is exercised. */
const PAGE_ROWS = 3

/** Type OIDs the Data API returns as JSON numbers or booleans rather than as text. */
const LONG_TYPES = new Set([20, 21, 23]) // int8, int2, int4
const DOUBLE_TYPES = new Set([700, 701]) // float4, float8
const BOOLEAN_TYPE = 16

/**
 * A small server that speaks the Redshift Data API (JSON 1.1 over HTTP) and runs the statements on
 * our Postgres: ExecuteStatement (named parameters, sessions), BatchExecuteStatement, DescribeStatement
 * (reporting STARTED once before FINISHED, so clients poll), GetStatementResult (paged), and
 * `COPY … FROM 's3://…'` served from an S3-protocol server. `statements` records every SQL text.
 *
 * Result fields are typed as the real API types them: integers as JSON numbers (`longValue`, written
 * with all their digits, as AWS does, even past 2^53), floats as `doubleValue`, booleans as
 * `booleanValue`, everything else as `stringValue`; `ColumnMetadata` carries each column's `typeName`.
 */
export class RedshiftDataApiServer {
  readonly statements: string[] = []
  readonly #pool: pg.Pool
  readonly #pg: pg.PoolConfig
  readonly #s3: FakeS3 | undefined
  readonly #states = new Map<string, StatementState>()
  readonly #typeNames = new Map<number, string>()
  readonly #sessions = new Map<string, pg.Client>()
  /** Sessions opened so far. */
  sessionsStarted = 0
  /** When each session's keep-alive runs out: as on Redshift, an idle session ends then, and its connection with it. */
  readonly #expiries = new Map<string, NodeJS.Timeout>()
  readonly #server = http.createServer((request, response) => void this.#handle(request, response))

  constructor(postgres: pg.PoolConfig, s3?: FakeS3) {
    this.#pg = postgres
    this.#pool = new pg.Pool({ ...postgres, types: { getTypeParser: () => (value: string) => value } as pg.CustomTypesConfig })
    this.#s3 = s3
  }

  async start(): Promise<string> {
    const types = await this.#pool.query<{ oid: string; typname: string }>('select oid, typname from pg_type')
    for (const row of types.rows) this.#typeNames.set(Number(row.oid), row.typname)
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
    for (const timer of this.#expiries.values()) clearTimeout(timer)
    for (const client of this.#sessions.values()) await client.end().catch(() => undefined)
    await this.#pool.end()
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const input = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>
    const operation = String(request.headers['x-amz-target'] ?? '').replace('RedshiftData.', '')
    const reply = (status: number, body: object | string) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' })
      response.end(typeof body === 'string' ? body : JSON.stringify(body))
    }
    try {
      switch (operation) {
        case 'ExecuteStatement':
          return reply(200, await this.#execute(input))
        case 'BatchExecuteStatement':
          return reply(200, this.#batch(input))
        case 'DescribeStatement':
          return reply(200, this.#describe(String(input.Id)))
        case 'GetStatementResult':
          return reply(200, this.#results(String(input.Id), input.NextToken as string | undefined))
        default:
          return reply(400, { __type: 'ValidationException', message: `unsupported operation ${operation}` })
      }
    } catch (error) {
      reply(400, { __type: 'ValidationException', message: (error as Error).message })
    }
  }

  async #execute(input: Record<string, unknown>) {
    const text = String(input.Sql)
    this.statements.push(text)
    let sessionId = input.SessionId as string | undefined
    if (sessionId !== undefined && !this.#sessions.has(sessionId)) throw new Error(`session ${sessionId} does not exist`)
    if (sessionId === undefined && input.SessionKeepAliveSeconds !== undefined) {
      sessionId = randomUUID()
      const client = new pg.Client({ ...this.#pg, types: { getTypeParser: () => (value: string) => value } as pg.CustomTypesConfig })
      await client.connect()
      this.#sessions.set(sessionId, client)
      this.sessionsStarted++
    }
    if (sessionId !== undefined) this.#keepAlive(sessionId, Number(input.SessionKeepAliveSeconds ?? this.#keepAliveSeconds.get(sessionId) ?? 60))
    const parameters = (input.Parameters as { name: string; value: string }[] | undefined) ?? []
    const id = this.#start(sessionId, async (client) => {
      const values: string[] = []
      const bound = text.replace(/(?<!:):([A-Za-z_]\w*)/g, (whole, name: string) => {
        const found = parameters.find((parameter) => parameter.name === name)
        if (!found) return whole
        values.push(found.value)
        return `$${values.length}`
      })
      const copy = /^\s*copy\s+(.+?)\s*\((.*?)\)\s*from\s+'s3:\/\/([^/']+)\/([^']+)'/is.exec(bound)
      if (copy) return this.#copyFromS3(client, copy[1]!, copy[2]!, copy[3]!, copy[4]!, /ignoreheader 1/i.test(bound))
      const unload = /^\s*unload\s*\(\s*'((?:[^']|'')*)'\s*\)\s*to\s*'s3:\/\/([^/']+)\/([^']*)'/is.exec(bound)
      if (unload) return this.#unloadToS3(client, unload[1]!.replace(/''/g, "'"), unload[2]!, unload[3]!)
      const result = await client.query({ text: bound, values, rowMode: 'array' })
      const fields = result.fields ?? []
      return { columns: fields.map((field) => field.name), types: fields.map((field) => field.dataTypeID), rows: result.rows as unknown[][], rowCount: result.rowCount ?? 0, hasResultSet: fields.length > 0 }
    })
    return { Id: id, CreatedAt: Date.now() / 1000, SessionId: sessionId }
  }

  #batch(input: Record<string, unknown>) {
    const texts = input.Sqls as string[]
    this.statements.push(...texts)
    const id = this.#start(undefined, async (client) => {
      await client.query('begin')
      try {
        for (const text of texts) await client.query(text)
        await client.query('commit')
      } catch (error) {
        await client.query('rollback')
        throw error
      }
      return { columns: [], types: [], rows: [], rowCount: 0, hasResultSet: false }
    })
    return { Id: id, CreatedAt: Date.now() / 1000 }
  }

  readonly #keepAliveSeconds = new Map<string, number>()

  /** Ends a session now, as the server does when its keep-alive has run out. */
  endSession(sessionId: string): void {
    const client = this.#sessions.get(sessionId)
    this.#sessions.delete(sessionId)
    clearTimeout(this.#expiries.get(sessionId))
    void client?.end().catch(() => undefined)
  }

  /** The sessions open now. */
  get openSessions(): string[] {
    return [...this.#sessions.keys()]
  }

  /** Ends the session `seconds` after its last statement (each statement starts the count again). */
  #keepAlive(sessionId: string, seconds: number): void {
    this.#keepAliveSeconds.set(sessionId, seconds)
    clearTimeout(this.#expiries.get(sessionId))
    const timer = setTimeout(() => {
      const client = this.#sessions.get(sessionId)
      this.#sessions.delete(sessionId)
      this.#expiries.delete(sessionId)
      this.#keepAliveSeconds.delete(sessionId)
      void client?.end().catch(() => undefined)
    }, seconds * 1000)
    timer.unref()
    this.#expiries.set(sessionId, timer)
  }

  #start(sessionId: string | undefined, run: (client: pg.ClientBase) => Promise<{ columns: string[]; types: number[]; rows: unknown[][]; rowCount: number; hasResultSet: boolean }>): string {
    const id = randomUUID()
    const state: StatementState = { status: 'STARTED', columns: [], types: [], rows: [], resultRows: 0, hasResultSet: false, sessionId, polls: 0 }
    this.#states.set(id, state)
    const session = sessionId === undefined ? undefined : this.#sessions.get(sessionId)
    void (async () => {
      const client = session ?? (await this.#pool.connect())
      try {
        const result = await run(client)
        Object.assign(state, { status: 'FINISHED', columns: result.columns, types: result.types, rows: result.rows, resultRows: result.hasResultSet ? result.rows.length : result.rowCount, hasResultSet: result.hasResultSet })
      } catch (error) {
        Object.assign(state, { status: 'FAILED', error: `ERROR: ${(error as Error).message}` })
      } finally {
        if (!session) (client as pg.PoolClient).release()
      }
    })()
    return id
  }

  /** UNLOAD … FORMAT CSV HEADER PARALLEL OFF EXTENSION 'csv': one object, `<prefix>000.csv`. */
  async #unloadToS3(client: pg.ClientBase, query: string, bucket: string, prefix: string) {
    if (!this.#s3) throw new Error('UNLOAD to S3 needs an S3 server')
    const chunks: Buffer[] = []
    const rows = client.query(copyTo(`copy (${query}) to stdout with (format csv, header true)`))
    for await (const chunk of rows) chunks.push(chunk as Buffer)
    const s3 = new S3Client({ region: 'us-east-1', endpoint: this.#s3.endpoint, forcePathStyle: true, credentials: this.#s3 })
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}000.csv`, Body: Buffer.concat(chunks) }))
      return { columns: [], types: [], rows: [], rowCount: rows.rowCount, hasResultSet: false }
    } finally {
      s3.destroy()
    }
  }

  async #copyFromS3(client: pg.ClientBase, table: string, columns: string, bucket: string, key: string, header: boolean) {
    if (!this.#s3) throw new Error('COPY from S3 needs an S3 server')
    const s3 = new S3Client({ region: 'us-east-1', endpoint: this.#s3.endpoint, forcePathStyle: true, credentials: this.#s3 })
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      const copy = client.query(copyFrom(`copy ${table} (${columns}) from stdin with (format csv${header ? ', header true' : ''})`))
      await pipeline(object.Body as Readable, copy)
      return { columns: [], types: [], rows: [], rowCount: copy.rowCount, hasResultSet: false }
    } finally {
      s3.destroy()
    }
  }

  #describe(id: string) {
    const state = this.#states.get(id)
    if (!state) throw new Error(`statement ${id} does not exist`)
    // Report the first poll as still running, so clients must poll.
    const status = state.polls++ === 0 ? 'STARTED' : state.status
    return {
      Id: id,
      Status: status,
      Error: status === 'FAILED' ? state.error : undefined,
      HasResultSet: status === 'FINISHED' ? state.hasResultSet : undefined,
      ResultRows: status === 'FINISHED' ? state.resultRows : undefined,
      SessionId: state.sessionId,
    }
  }

  /** One page as JSON text: written by hand, because a long must go out as a bare number with all its digits. */
  #results(id: string, token: string | undefined): string {
    const state = this.#states.get(id)
    if (!state || state.status !== 'FINISHED') throw new Error(`statement ${id} has no result`)
    const start = token ? Number(token) : 0
    const page = state.rows.slice(start, start + PAGE_ROWS)
    const metadata = state.columns.map((name, index) => ({ name, label: name, typeName: this.#typeNames.get(state.types[index] ?? 0) ?? 'varchar' }))
    const records = page.map((values) => `[${values.map((value, index) => fieldJson(value, state.types[index] ?? 0)).join(',')}]`)
    const next = start + PAGE_ROWS < state.rows.length ? `,"NextToken":"${start + PAGE_ROWS}"` : ''
    return `{"ColumnMetadata":${JSON.stringify(metadata)},"Records":[${records.join(',')}],"TotalNumRows":${state.rows.length}${next}}`
  }
}

/** A Data API `Field` for a value Postgres returned as text. */
function fieldJson(value: unknown, type: number): string {
  if (value === null) return '{"isNull":true}'
  const text = String(value)
  if (LONG_TYPES.has(type)) return `{"longValue":${text}}`
  if (DOUBLE_TYPES.has(type)) return JSON.stringify({ doubleValue: Number(text) })
  if (type === BOOLEAN_TYPE) return JSON.stringify({ booleanValue: text === 't' || text === 'true' })
  return JSON.stringify({ stringValue: text })
}
