import mysql from 'mysql2/promise'
import pg from 'pg'
import { DataServices, type ConnectionConfig, type Database } from 'etl'
import { MARIADB, POSTGRES, randomName } from './databases.js'

/** A warehouse connection in its own namespace, as the run's data services open it. */
export interface Warehouse {
  readonly data: DataServices
  readonly db: Database
  drop(): Promise<void>
}

/** A `warehouse` connection on each dialect, each in a namespace of its own. */
export const WAREHOUSES: Record<string, () => Promise<Warehouse>> = {
  async postgres() {
    const schema = randomName('etl_steps')
    const admin = new pg.Client(POSTGRES)
    await admin.connect()
    await admin.query(`create schema ${schema}`)
    await admin.end()
    return open({ dialect: 'postgres', ...POSTGRES, schema, poolSize: 2 } as ConnectionConfig, async () => {
      const cleanup = new pg.Client(POSTGRES)
      await cleanup.connect()
      await cleanup.query(`drop schema if exists ${schema} cascade`)
      await cleanup.end()
    })
  },
  async mariadb() {
    const database = randomName('etl_steps')
    const admin = await mysql.createConnection(MARIADB)
    await admin.query(`create database ${database} character set utf8mb4`)
    await admin.end()
    return open({ dialect: 'mysql', ...MARIADB, database, poolSize: 2 } as ConnectionConfig, async () => {
      const cleanup = await mysql.createConnection(MARIADB)
      await cleanup.query(`drop database if exists ${database}`)
      await cleanup.end()
    })
  },
  async pglite() {
    return open({ dialect: 'pglite', path: 'memory://' } as ConnectionConfig, async () => {})
  },
}

async function open(config: ConnectionConfig, dropNamespace: () => Promise<void>): Promise<Warehouse> {
  const data = new DataServices({ connections: { warehouse: config } })
  const db = await data.database('warehouse')
  return {
    data,
    db,
    async drop() {
      await data.close()
      await dropNamespace()
    },
  }
}

