// A benchmark's workspace: a temp folder it runs in (markers and lake inside), and a MariaDB and a
// Postgres database of one name on the local services, dropped with the folder at the end.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { setLayout } from 'etl'

export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root' }
export const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' }

export interface BenchWorkspace {
  /** The folder the benchmark runs in (its working directory). */
  readonly root: string
  /** The name of both databases. */
  readonly name: string
  /** Drops both databases and the folder. */
  remove(): Promise<void>
}

/** Makes the workspace and moves into it. */
export async function benchWorkspace(prefix: string): Promise<BenchWorkspace> {
  const name = `${prefix.replace(/-/g, '_')}_${process.pid}`
  const root = await fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-`))
  process.chdir(root)
  setLayout({ outputDir: path.join(root, 'output'), completedDir: path.join(root, 'completed') })
  const my = await mysql.createConnection(MARIADB)
  await my.query('set global local_infile = 1').catch(() => undefined)
  await my.query(`create database ${name}`)
  const admin = new pg.Client(POSTGRES)
  await admin.connect()
  await admin.query(`create database ${name}`)
  return {
    root,
    name,
    async remove() {
      await my.query(`drop database if exists ${name}`)
      await my.end()
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
      await fs.rm(root, { recursive: true, force: true })
    },
  }
}
