import { z } from 'zod'
import type { DialectDefinition } from './dialect-definition.js'
import { DIALECT_NAMES, DIALECTS } from './dialects.js'

/** The dialects' connection schemas, in registry order, as the tuple zod's union takes. */
type SchemasOf<T extends readonly DialectDefinition[]> = { readonly [K in keyof T]: T[K] extends DialectDefinition<string, infer Schema> ? Schema : never }

/** One named connection in `etl.config.json`; `dialect` picks which fields apply. */
export const connectionSchema = z.discriminatedUnion('dialect', DIALECTS.map((definition) => definition.connectionSchema) as unknown as SchemasOf<typeof DIALECTS>, {
  error: `expected "dialect": one of ${DIALECT_NAMES.join(', ')}`,
})

/** The `connections` section: connection name → connection. */
export const connectionsSchema = z.record(z.string().regex(/^[A-Za-z_][\w-]*$/, { error: 'a connection name is letters, digits, _ and -' }), connectionSchema)

export type ConnectionConfig = z.infer<typeof connectionSchema>
export type ConnectionsConfig = z.infer<typeof connectionsSchema>

/**
 * The connections when the config names none: an embedded `source`, a second embedded source
 * `support_source` (the support warehouse's systems) and an embedded `warehouse`, each PGlite
 * persisted under `data/`, so the default runs need no server. Connections the config
 * names replace these by name; the others stay.
 */
export const DEFAULT_CONNECTIONS: Readonly<Record<string, ConnectionConfig>> = Object.freeze({
  source: Object.freeze({ dialect: 'pglite', path: 'data/source' }),
  support_source: Object.freeze({ dialect: 'pglite', path: 'data/support_source' }),
  warehouse: Object.freeze({ dialect: 'pglite', path: 'data/warehouse' }),
})
