import path from 'node:path'
import type { Storage } from '../lake/storage.js'
import type { ConnectionConfig } from './connection-config.js'
import type { Database } from './database.js'
import { MysqlDatabase } from './mysql/mysql-database.js'
import { PgliteDatabase } from './pglite/pglite-database.js'
import { PostgresDatabase } from './postgres/postgres-database.js'
import { RedshiftDatabase } from './redshift/redshift-database.js'

export interface CreateDatabaseOptions {
  /** Folder relative PGlite paths are taken from. @defaultValue process.cwd() */
  cwd?: string
  /** The lake, for dialects that stage bulk loads in it (Redshift). */
  lake?: Storage
}

/**
 * The dialect for a validated connection. Nothing is opened yet: pools connect on first use, and
 * `ping()` checks the connection works.
 */
export function createDatabase(name: string, config: ConnectionConfig, options: CreateDatabaseOptions = {}): Database {
  switch (config.dialect) {
    case 'postgres':
      return new PostgresDatabase(name, config)
    case 'mysql':
      return new MysqlDatabase(name, config)
    case 'pglite': {
      const folder = config.path ?? path.join('data', name)
      return new PgliteDatabase(name, { ...config, path: folder.startsWith('memory://') ? folder : path.resolve(options.cwd ?? process.cwd(), folder) })
    }
    case 'redshift':
      return new RedshiftDatabase(name, config, { staging: options.lake })
  }
}
