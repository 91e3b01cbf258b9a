import { defineDialect } from '../dialect-definition.js'
import { postgresConnectionSchema } from './postgres-config.js'
import { PostgresDatabase } from './postgres-database.js'
import { postgresDialect } from './postgres-dialect.js'

/** A PostgreSQL server, through a pg pool. */
export const postgresDefinition = defineDialect({
  name: 'postgres',
  dialect: postgresDialect,
  connectionSchema: postgresConnectionSchema,
  createDatabase: (name, config) => new PostgresDatabase(name, config),
})
