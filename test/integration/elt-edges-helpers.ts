import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ExecutionContext } from 'ava'
import type { Database } from '../../src/db/database.js'
import { PostgresDatabase } from '../../src/db/postgres/postgres-database.js'
import { sql } from '../../src/db/sql.js'
import { runCli, type CliResult } from '../helpers/cli.js'
import { MARIADB, POSTGRES, scratchMysql } from '../helpers/databases.js'
import { tempDir } from '../helpers/sandbox.js'
import { scratchPostgresDatabase } from './elt-helpers.js'

/** The edges pipeline: whatever tables the run folder's metadata/ describes. */
export const EDGES = fileURLToPath(new URL('../fixtures/pipelines/edges/edges.ts', import.meta.url))

/** A run folder with a MariaDB or Postgres source and a Postgres warehouse, each a database of its own. */
export interface EdgesProject {
  readonly cwd: string
  readonly source: Database
  /** The source database's name (a Postgres test alters its settings). */
  readonly sourceName: string
  readonly warehouse: PostgresDatabase
  /** Writes metadata/edges.json with these table entries. */
  dictionary(tables: readonly Record<string, unknown>[]): Promise<void>
  run(): Promise<CliResult>
  /** The control row of a table for a sequence. */
  control(seq: number, table: string): Promise<Record<string, unknown>>
  /** The latest sequence and its status, `2:COMPLETE`. */
  latest(): Promise<string>
}

export async function edgesProject(t: ExecutionContext, kind: 'mysql' | 'postgres'): Promise<EdgesProject> {
  const cwd = await tempDir('etl-edges-')
  const dw = await scratchPostgresDatabase('etl_edges_dw')
  const warehouse = new PostgresDatabase('warehouse', { dialect: 'postgres', ...POSTGRES, database: dw.name, poolSize: 1 })
  let source: Database
  let sourceName: string
  let dropSource: () => Promise<void>
  let sourceConfig: Record<string, unknown>
  if (kind === 'mysql') {
    const scratch = await scratchMysql('source')
    source = scratch.db
    sourceName = scratch.namespace
    dropSource = () => scratch.drop()
    sourceConfig = { dialect: 'mysql', host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database: scratch.namespace }
  } else {
    const scratch = await scratchPostgresDatabase('etl_edges_src')
    const db = new PostgresDatabase('source', { dialect: 'postgres', ...POSTGRES, database: scratch.name, poolSize: 1 })
    source = db
    sourceName = scratch.name
    dropSource = async () => {
      await db.close()
      await scratch.drop()
    }
    sourceConfig = { dialect: 'postgres', host: POSTGRES.host, port: POSTGRES.port, user: POSTGRES.user, database: scratch.name }
  }
  t.teardown(async () => {
    await warehouse.close()
    await dw.drop()
    await dropSource()
    await fs.rm(cwd, { recursive: true, force: true })
  })
  const config = { connections: { source: sourceConfig, warehouse: { dialect: 'postgres', host: POSTGRES.host, port: POSTGRES.port, user: POSTGRES.user, database: dw.name } } }
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify(config, null, 2))
  await fs.mkdir(path.join(cwd, 'metadata'))
  return {
    cwd,
    source,
    sourceName,
    warehouse,
    dictionary: (tables) => fs.writeFile(path.join(cwd, 'metadata', 'edges.json'), JSON.stringify({ tables }, null, 2)),
    run: () => runCli(['run', 'EdgeJob', '--local-scheduler', '--module', EDGES], cwd),
    async control(seq, table) {
      const { rows } = await warehouse.query(sql`select * from control.etl_sequence_table where pipeline = 'edges' and exec_seq = ${seq} and table_name = ${table}`)
      return rows[0] ?? {}
    },
    async latest() {
      const { rows } = await warehouse.query(sql`select exec_seq, status from control.etl_sequence where pipeline = 'edges' order by exec_seq desc limit 1`)
      return rows[0] ? `${rows[0].exec_seq}:${rows[0].status}` : 'none'
    },
  }
}

/** A table's rows, one line each in key order, for comparing source and store. */
export async function rowsOf(db: Database, table: { schema?: string; name: string }, columns: readonly string[], key: readonly string[]): Promise<string[]> {
  const ref = table.schema ? sql.id(table.schema, table.name) : sql.id(table.name)
  const { rows } = await db.query(sql`select ${sql.join(columns.map((column) => sql.id(column)))} from ${ref} order by ${sql.join(key.map((column) => sql.id(column)))}`)
  return rows.map((row) => columns.map((column) => (row[column] === null ? 'NULL' : String(row[column]))).join('|'))
}
