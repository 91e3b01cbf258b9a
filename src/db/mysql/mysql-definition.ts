import { defineDialect } from '../dialect-definition.js'
import { mysqlConnectionSchema } from './mysql-config.js'
import { MysqlDatabase } from './mysql-database.js'
import { mysqlDialect } from './mysql-dialect.js'

/** A MySQL or MariaDB server, through a mysql2 pool. */
export const mysqlDefinition = defineDialect({
  name: 'mysql',
  dialect: mysqlDialect,
  connectionSchema: mysqlConnectionSchema,
  createDatabase: (name, config) => new MysqlDatabase(name, config),
})
