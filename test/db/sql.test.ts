import test from 'ava'
import { mysqlDialect } from '../../src/db/mysql/mysql-dialect.js'
import { postgresDialect } from '../../src/db/postgres/postgres-dialect.js'
import { compileSql, sql } from '../../src/db/sql.js'

test('sql: a table reference becomes a quoted identifier, schema-qualified only when it names a schema', (t) => {
  const statement = sql`select * from ${sql.table('store.orders')} join ${sql.table('weird"name')} using (id) join ${sql.table({ schema: 'a.b', name: 'c' })} using (id)`
  t.is(compileSql(statement, postgresDialect).text, 'select * from "store"."orders" join "weird""name" using (id) join "a.b"."c" using (id)')
  t.is(compileSql(statement, mysqlDialect).text, 'select * from `store`.`orders` join `weird"name` using (id) join `a.b`.`c` using (id)')
})
