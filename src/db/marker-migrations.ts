import type { MigrationSet } from './migrations/migration.js'
import { sql } from './sql.js'
import { tableLabel, tableName, type TableRef } from './table-ref.js'

/**
 * The migrations of a marker table, recorded in `etl_migrations` beside it (same schema), under
 * the component `etl.markers:<table>` (one warehouse may keep several marker tables).
 */
export function markerMigrations(markerTable: TableRef): MigrationSet {
  const { schema } = tableName(markerTable)
  return {
    component: `etl.markers:${tableLabel(markerTable)}`,
    table: schema === undefined ? 'etl_migrations' : { schema, name: 'etl_migrations' },
    ...(schema === undefined ? {} : { schema }),
    migrations: [
      {
        id: 1,
        name: 'marker table',
        async up(tx) {
          await tx.query(sql`create table if not exists ${sql.table(markerTable)} (
            update_id varchar(255) not null,
            target_table varchar(255) not null,
            inserted timestamp not null,
            row_count bigint,
            primary key (update_id, target_table)
          )`)
        },
      },
    ],
  }
}
