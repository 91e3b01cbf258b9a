import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import type { Database } from '../../src/db/database.js'
import { PgliteDatabase } from '../../src/db/pglite/pglite-database.js'
import { PostgresDatabase } from '../../src/db/postgres/postgres-database.js'
import { sql } from '../../src/db/sql.js'
import { DEMO_TABLES } from '../../tasks/orders/sample/demo-schema.js'
import { POSTGRES, randomName } from '../helpers/databases.js'
import { RedshiftDataApiServer } from '../helpers/redshift-data-api-server.js'
import { startS3Server } from '../helpers/s3-server.js'
import type { S3LakeConfig } from '../../src/lake/lake-config.js'

/** The project's own task module: the reference pipeline, run as a user runs it. */
export const PIPELINE = fileURLToPath(new URL('../../tasks/index.ts', import.meta.url))

/** A Postgres database of its own for a warehouse (the pipeline creates its schemas), and how to drop it. */
export async function scratchPostgresDatabase(prefix: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = randomName(prefix)
  await admin((client) => client.query(`create database ${name}`))
  return { name, drop: () => admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined) }
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(POSTGRES)
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

const BOOLEAN_COLUMNS = new Set(['is_deleted', 'is_supplier'])

/** One canonical text per value, so MySQL's 0/1 and Postgres' booleans, and each driver's spelling, compare equal. */
function canonical(column: string, value: unknown): string {
  if (value === null || value === undefined) return '\\N'
  if (BOOLEAN_COLUMNS.has(column)) return value === true || value === 1 || value === '1' || value === 't' || value === 'true' ? 'true' : 'false'
  return String(value)
}

/** Row count and a SHA-256 over every column of every row, in key order. */
export async function tableChecksum(db: Database, table: string, tableName: { schema?: string; name: string } = { name: table }): Promise<{ rows: number; sha256: string }> {
  const meta = DEMO_TABLES.find((t) => t.name === table)!
  const columns = meta.columns.map((column) => column.name)
  const ref = tableName.schema ? sql.id(tableName.schema, tableName.name) : sql.id(tableName.name)
  const { rows } = await db.query(sql`select ${sql.join(columns.map((c) => sql.id(c)))} from ${ref} order by ${sql.join(meta.key.map((k) => sql.id(k)))}`)
  const hash = createHash('sha256')
  for (const row of rows) hash.update(columns.map((column) => canonical(column, row[column])).join('\u0001') + '\n')
  return { rows: rows.length, sha256: hash.digest('hex') }
}

/** Keys that appear more than once in a store table. */
export async function duplicateKeys(db: Database, table: string): Promise<number> {
  const meta = DEMO_TABLES.find((t) => t.name === table)!
  const keys = sql.join(meta.key.map((k) => sql.id(k)))
  const { rows } = await db.query(sql`select count(*) as n from (select ${keys} from ${sql.id('store', table)} group by ${keys} having count(*) > 1) d`)
  return Number(rows[0]!.n)
}

/** The monthly sales and top devices, computed straight from the source (and the log), for comparing with the reports. */
export async function monthlySalesFromSource(source: Database): Promise<string[]> {
  const { rows } = await source.query(sql`
    select extract(year from h.order_datetime) as y, extract(month from h.order_datetime) as m, count(distinct h.order_no) as orders, sum(l.quantity * l.unit_price) as sales
    from order_lines l join order_headers h on h.order_no = l.order_no
    where l.is_deleted = false and h.is_deleted = false
    group by extract(year from h.order_datetime), extract(month from h.order_datetime)
    order by 1, 2`)
  return rows.map((row) => `${Number(row.y)},${Number(row.m)},${Number(row.orders)},${Number(row.sales).toFixed(2)}`)
}

/** The report's lines in the same form. */
export function monthlySalesFromReport(csv: string): string[] {
  return csv
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [y, m, orders, sales] = line.split(',')
      return `${Number(y)},${Number(m)},${Number(orders)},${Number(sales).toFixed(2)}`
    })
}

/** Opens `data/<folder>` of a run's working folder as an embedded database (after the CLI has exited: PGlite is single-process), for `work`. */
export async function withEmbeddedDatabase<T>(cwd: string, folder: string, work: (db: PgliteDatabase) => Promise<T>): Promise<T> {
  const db = new PgliteDatabase(folder, { dialect: 'pglite', path: path.join(cwd, 'data', folder) })
  try {
    return await work(db)
  } finally {
    await db.close()
  }
}

/**
 * A Redshift warehouse for a run in `cwd`: the local Data API server over a scratch Postgres
 * database, with COPY served from an S3-protocol lake. Writes the config (the secret key as
 * `${RS_SECRET}`, whose value is {@link REDSHIFT_ENV}) and gives a Postgres connection to the same
 * database for checking what was built; `stop` undoes all of it.
 */
export async function redshiftWarehouse(cwd: string, prefix: string): Promise<{ server: RedshiftDataApiServer; lake: S3LakeConfig; warehouse: PostgresDatabase; stop(): Promise<void> }> {
  const dw = await scratchPostgresDatabase(`etl_${prefix.replace(/-/g, '_')}_dw`)
  const s3 = await startS3Server()
  const lake = await s3.lake(`${prefix}-lake`, 'etl')
  const server = new RedshiftDataApiServer({ ...POSTGRES, database: dw.name }, { endpoint: lake.endpoint!, accessKeyId: lake.accessKeyId!, secretAccessKey: lake.secretAccessKey! })
  const endpoint = await server.start()
  const warehouse = new PostgresDatabase('warehouse', { dialect: 'postgres', ...POSTGRES, database: dw.name, poolSize: 1 })
  const config = {
    connections: {
      warehouse: { dialect: 'redshift', database: 'dev', workgroupName: 'etl', region: 'us-east-1', endpoint, accessKeyId: 'test', secretAccessKey: '${RS_SECRET}', iamRole: 'arn:aws:iam::123456789012:role/copy', pollIntervalMs: 5 },
    },
    lake,
  }
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify(config, null, 2))
  return {
    server,
    lake,
    warehouse,
    async stop() {
      await warehouse.close()
      await server.stop()
      await dw.drop()
      await s3.stop()
    },
  }
}

/** The environment a run against {@link redshiftWarehouse} needs. */
export const REDSHIFT_ENV = { RS_SECRET: 'rs-secret-value' }
