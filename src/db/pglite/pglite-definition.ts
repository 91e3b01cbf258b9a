import path from 'node:path'
import { defineDialect } from '../dialect-definition.js'
import { postgresDialect } from '../postgres/postgres-dialect.js'
import { pgliteConnectionSchema } from './pglite-config.js'
import { PgliteDatabase } from './pglite-database.js'

/**
 * The embedded default: PGlite in a folder (`data/<connection name>` unless the config names one,
 * relative to `cwd`). It is Postgres, so it writes Postgres' SQL, as kysely's PGlite dialect uses
 * its Postgres compiler.
 */
export const pgliteDefinition = defineDialect({
  name: 'pglite',
  dialect: postgresDialect,
  connectionSchema: pgliteConnectionSchema,
  createDatabase: (name, config, options) => {
    const folder = config.path ?? path.join('data', name)
    return new PgliteDatabase(name, { ...config, path: folder.startsWith('memory://') ? folder : path.resolve(options.cwd ?? process.cwd(), folder) })
  },
})
