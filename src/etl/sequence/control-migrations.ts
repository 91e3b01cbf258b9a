import { randomBytes } from 'node:crypto'
import type { Migration, MigrationSet } from '../../db/migrations/migration.js'
import { sql } from '../../db/sql.js'

/** The warehouse schema of the execution control tables. */
export const CONTROL_SCHEMA = 'control'

/** The control tables, by what they hold. */
export const CONTROL_TABLES = Object.freeze({
  sequence: { schema: CONTROL_SCHEMA, name: 'etl_sequence' },
  sequenceTable: { schema: CONTROL_SCHEMA, name: 'etl_sequence_table' },
  warehouse: { schema: CONTROL_SCHEMA, name: 'etl_warehouse' },
  migrations: { schema: CONTROL_SCHEMA, name: 'etl_migrations' },
})

/**
 * The key under which sequences recorded before pipelines had keys are kept: a pipeline that says
 * it `adopts` them takes them over (the orders pipeline, the only one there was).
 */
export const UNKEYED_PIPELINE = ''

const LEGACY_EXECUTION = sql.id(CONTROL_SCHEMA, 'etl_execution')
const LEGACY_EXECUTION_TABLE = sql.id(CONTROL_SCHEMA, 'etl_execution_table')

/** 1: the tables of the first release (one sequence counter per warehouse), as it created them. */
const unkeyedTables: Migration = {
  id: 1,
  name: 'execution sequences and their tables',
  async up(tx) {
    await tx.query(sql`create table if not exists ${LEGACY_EXECUTION} (
      exec_seq bigint not null primary key,
      status varchar(16) not null,
      started_at timestamp not null,
      ended_at timestamp null
    )`)
    await tx.query(sql`create table if not exists ${LEGACY_EXECUTION_TABLE} (
      exec_seq bigint not null,
      table_name varchar(128) not null,
      start_watermark varchar(64),
      end_watermark varchar(64),
      extracted_rows bigint,
      loaded_rows bigint,
      upserted_rows bigint,
      primary key (exec_seq, table_name)
    )`)
  },
}

/**
 * 2: the warehouse's identity, which markers record with their sequence. `adopted_through` is the
 * latest sequence there was when it was made: markers written before warehouses had an identity
 * vouch for this warehouse up to it (a warehouse wiped and built anew has none there yet).
 */
const identity: Migration = {
  id: 2,
  name: 'warehouse identity',
  async up(tx) {
    const table = sql.table(CONTROL_TABLES.warehouse)
    await tx.query(sql`create table if not exists ${table} (
      warehouse_id varchar(36) not null,
      created_at timestamp not null,
      adopted_through bigint not null
    )`)
    const { rows } = await tx.query(sql`select count(*) as n from ${table}`)
    if (Number(rows[0]!.n) > 0) return
    const latest = await tx.query(sql`select max(exec_seq) as seq from ${LEGACY_EXECUTION}`)
    const through = latest.rows[0]?.seq === null || latest.rows[0]?.seq === undefined ? 0 : Number(latest.rows[0].seq)
    await tx.query(sql`insert into ${table} (warehouse_id, created_at, adopted_through) values (${randomBytes(8).toString('hex')}, ${now()}, ${through})`)
  },
}

/**
 * 3: a sequence counter per pipeline, so two pipelines on one warehouse never block or read each
 * other's. The first release's rows move under {@link UNKEYED_PIPELINE}.
 */
const keyedByPipeline: Migration = {
  id: 3,
  name: 'sequences keyed by pipeline',
  async up(tx) {
    const sequence = sql.table(CONTROL_TABLES.sequence)
    const sequenceTable = sql.table(CONTROL_TABLES.sequenceTable)
    await tx.query(sql`create table if not exists ${sequence} (
      pipeline varchar(64) not null,
      exec_seq bigint not null,
      status varchar(16) not null,
      started_at timestamp not null,
      ended_at timestamp null,
      primary key (pipeline, exec_seq)
    )`)
    await tx.query(sql`create table if not exists ${sequenceTable} (
      pipeline varchar(64) not null,
      exec_seq bigint not null,
      table_name varchar(128) not null,
      start_watermark varchar(64),
      end_watermark varchar(64),
      extracted_rows bigint,
      loaded_rows bigint,
      upserted_rows bigint,
      primary key (pipeline, exec_seq, table_name)
    )`)
    // Copies that skip what an interrupted copy already made (MySQL commits each DDL at once).
    await tx.query(sql`insert into ${sequence} (pipeline, exec_seq, status, started_at, ended_at)
      select ${UNKEYED_PIPELINE}, e.exec_seq, e.status, e.started_at, e.ended_at from ${LEGACY_EXECUTION} e
      where not exists (select 1 from ${sequence} s where s.pipeline = ${UNKEYED_PIPELINE} and s.exec_seq = e.exec_seq)`)
    await tx.query(sql`insert into ${sequenceTable} (pipeline, exec_seq, table_name, start_watermark, end_watermark, extracted_rows, loaded_rows, upserted_rows)
      select ${UNKEYED_PIPELINE}, t.exec_seq, t.table_name, t.start_watermark, t.end_watermark, t.extracted_rows, t.loaded_rows, t.upserted_rows from ${LEGACY_EXECUTION_TABLE} t
      where not exists (select 1 from ${sequenceTable} s where s.pipeline = ${UNKEYED_PIPELINE} and s.exec_seq = t.exec_seq and s.table_name = t.table_name)`)
    await tx.query(sql`drop table ${LEGACY_EXECUTION_TABLE}`)
    await tx.query(sql`drop table ${LEGACY_EXECUTION}`)
  },
}

/** The counts migration 4 adds to each table's row of a sequence. */
export const EDGE_COUNT_COLUMNS = ['null_watermark_rows', 'reread_rows', 'changed_rows', 'reconciled_keys', 'flagged_rows', 'deleted_rows'] as const

/**
 * 4: what a sequence could not see or had to undo, per table: rows whose watermark is NULL, rows
 * re-read in a lookback's overlap and how many of them changed, and hard deletes (the source's keys
 * read, store rows flagged or deleted). A column an interrupted run already added (MySQL commits each
 * DDL at once) is skipped.
 */
const edgeCounts: Migration = {
  id: 4,
  name: 'null watermarks, lookback overlaps and hard deletes',
  async up(tx) {
    const table = CONTROL_TABLES.sequenceTable
    // Read through the migration's own transaction, which may have just created the table.
    const present = new Set((await tx.query(sql`select * from ${sql.table(table)} where 1 = 0`)).columns.map((column) => column.toLowerCase()))
    for (const column of EDGE_COUNT_COLUMNS) {
      if (!present.has(column)) await tx.query(sql`alter table ${sql.table(table)} add column ${sql.id(column)} bigint`)
    }
  },
}

/** The execution control tables' migrations, recorded in `control.etl_migrations`. */
export const CONTROL_MIGRATIONS: MigrationSet = Object.freeze({
  component: 'etl.control',
  table: CONTROL_TABLES.migrations,
  schema: CONTROL_SCHEMA,
  migrations: [unkeyedTables, identity, keyedByPipeline, edgeCounts],
})

function now(): string {
  return new Date().toISOString().slice(0, 19).replace('T', ' ')
}
