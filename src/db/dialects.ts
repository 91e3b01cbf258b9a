import type { DialectDefinition } from './dialect-definition.js'
import { mysqlDefinition } from './mysql/mysql-definition.js'
import { pgliteDefinition } from './pglite/pglite-definition.js'
import { postgresDefinition } from './postgres/postgres-definition.js'
import { redshiftDefinition } from './redshift/redshift-definition.js'

/**
 * Every dialect, one line each: connection configs (`"dialect"`), `createDatabase` and SQL file
 * variants (`report.<name>.sql`) all read this list. A new dialect is its folder under `src/db/` and
 * a line here.
 */
export const DIALECTS = [postgresDefinition, mysqlDefinition, pgliteDefinition, redshiftDefinition] as const

/** A registered dialect's name: `postgres`, `mysql`, `pglite`, `redshift`. */
export type DialectName = (typeof DIALECTS)[number]['name']

/** The registered dialects' names, in registry order. */
export const DIALECT_NAMES: readonly DialectName[] = Object.freeze(DIALECTS.map((definition) => definition.name))

/** The registered dialect called `name`, or undefined. */
export function dialectDefinition(name: string): DialectDefinition | undefined {
  return DIALECTS.find((definition) => definition.name === name)
}
