import { EtlError } from '../errors.js'
import type { ConnectionConfig } from './connection-config.js'
import type { Database } from './database.js'
import type { CreateDatabaseOptions } from './dialect-definition.js'
import { DIALECT_NAMES, dialectDefinition } from './dialects.js'

/**
 * The database for a validated connection, made by its dialect's definition. Nothing is opened yet:
 * pools connect on first use, and `ping()` checks the connection works.
 */
export function createDatabase(name: string, config: ConnectionConfig, options: CreateDatabaseOptions = {}): Database {
  const definition = dialectDefinition(config.dialect)
  if (!definition) {
    // Only a config built in code gets here: a parsed one has a registered dialect.
    throw new EtlError('ETL_ERR_CONFIG_INVALID', `connection "${name}" has "dialect": ${JSON.stringify(config.dialect)}; expected one of ${DIALECT_NAMES.join(', ')}`)
  }
  // The config was parsed by the schema of the dialect it names, so that dialect's createDatabase takes it.
  return definition.createDatabase(name, config, options)
}
