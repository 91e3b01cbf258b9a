import { randomBytes } from 'node:crypto'
import mysql from 'mysql2/promise'
import pg from 'pg'
import type { Database } from '../../src/db/database.js'
import { MysqlDatabase } from '../../src/db/mysql/mysql-database.js'
import { PgliteDatabase } from '../../src/db/pglite/pglite-database.js'
import { PostgresDatabase } from '../../src/db/postgres/postgres-database.js'

/** The servers this machine runs for tests (see .ci/run). */
export const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const
export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '' } as const

/** A fresh namespace for one test: a Postgres schema or a MariaDB database. */
export function randomName(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`
}

/** A database in its own throwaway namespace, and how to drop it. */
export interface ScratchDatabase {
  readonly db: Database
  /** The namespace (schema or database) the connection's unqualified names resolve to. */
  readonly namespace: string
  drop(): Promise<void>
}

/** A Postgres connection whose search_path is a new random schema. */
export async function scratchPostgres(name = 'warehouse'): Promise<ScratchDatabase> {
  const schema = randomName('etl_pg')
  const admin = new pg.Client(POSTGRES)
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
  const db = new PostgresDatabase(name, { dialect: 'postgres', ...POSTGRES, schema, poolSize: 2 })
  return {
    db,
    namespace: schema,
    async drop() {
      await db.close()
      const cleanup = new pg.Client(POSTGRES)
      await cleanup.connect()
      await cleanup.query(`drop schema if exists ${schema} cascade`)
      await cleanup.end()
    },
  }
}

/** A MariaDB connection to a new random database (with LOAD DATA LOCAL enabled on the server). */
export async function scratchMysql(name = 'source'): Promise<ScratchDatabase> {
  const database = randomName('etl_my')
  const admin = await mysql.createConnection(MARIADB)
  // Bulk loads need local_infile on the server; it is off by default on some installs.
  await admin.query('set global local_infile = 1').catch(() => undefined)
  await admin.query(`create database ${database} character set utf8mb4`)
  await admin.end()
  const db = new MysqlDatabase(name, { dialect: 'mysql', ...MARIADB, database, poolSize: 2 })
  return {
    db,
    namespace: database,
    async drop() {
      await db.close()
      const cleanup = await mysql.createConnection(MARIADB)
      await cleanup.query(`drop database if exists ${database}`)
      await cleanup.end()
    },
  }
}

/** An in-memory PGlite: nothing to clean up beyond closing it. */
export async function scratchPglite(name = 'warehouse'): Promise<ScratchDatabase> {
  const db = new PgliteDatabase(name, { dialect: 'pglite', path: 'memory://', loadChunkBytes: 4096 })
  return { db, namespace: 'public', drop: () => db.close() }
}

/** Each dialect the conformance suite runs against, by name. */
export const SCRATCH_DATABASES = { postgres: scratchPostgres, mysql: scratchMysql, pglite: scratchPglite } as const
