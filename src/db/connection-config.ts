import { z } from 'zod'
import { mysqlConnectionSchema } from './mysql/mysql-config.js'
import { pgliteConnectionSchema } from './pglite/pglite-config.js'
import { postgresConnectionSchema } from './postgres/postgres-config.js'
import { redshiftConnectionSchema } from './redshift/redshift-config.js'

/** One named connection in `etl.config.json`; `dialect` picks which fields apply. */
export const connectionSchema = z.discriminatedUnion('dialect', [postgresConnectionSchema, mysqlConnectionSchema, pgliteConnectionSchema, redshiftConnectionSchema], {
  error: 'expected "dialect": one of postgres, mysql, pglite, redshift',
})

/** The `connections` section: connection name → connection. */
export const connectionsSchema = z.record(z.string().regex(/^[A-Za-z_][\w-]*$/, { error: 'a connection name is letters, digits, _ and -' }), connectionSchema)

export type ConnectionConfig = z.infer<typeof connectionSchema>
export type ConnectionsConfig = z.infer<typeof connectionsSchema>

/**
 * The connections when the config names none: an embedded `source` and an embedded `warehouse`,
 * each PGlite persisted under `data/`, so the default run needs no server. Connections the config
 * names replace these by name; the others stay.
 */
export const DEFAULT_CONNECTIONS: Readonly<Record<string, ConnectionConfig>> = Object.freeze({
  source: Object.freeze({ dialect: 'pglite', path: 'data/source' }),
  warehouse: Object.freeze({ dialect: 'pglite', path: 'data/warehouse' }),
})
