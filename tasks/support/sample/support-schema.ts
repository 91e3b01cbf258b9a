import { sql, type ColumnDescription, type ColumnType, type Database } from 'etl'

const INT: ColumnType = { kind: 'integer', bits: 32 }
const TS: ColumnType = { kind: 'timestamp', precision: 0, withTimeZone: false }
const text = (length: number): ColumnType => ({ kind: 'string', length })

/** A table of the Support department's source systems, as the sample makes it. */
export interface SupportTable {
  readonly name: string
  readonly columns: readonly ColumnDescription[]
  readonly key: string
  /** Indexed beside the key: the watermark (`updated_at`) and what `advance` looks cases up by. */
  readonly indexes: readonly (readonly string[])[]
}

/** How the data contract spells a type: `integer`, `varchar(100)`, `timestamp`. */
function spelling(type: ColumnType): string {
  return type.kind === 'string' ? `varchar(${type.length})` : type.kind
}

function columns(list: readonly (readonly [string, ColumnType, boolean?])[]): ColumnDescription[] {
  return list.map(([name, type, nullable]) => ({ name, nativeType: spelling(type), type, nullable: nullable ?? false }))
}

/**
 * The `support_source` tables: the HR system's analysts (current state only), the product
 * catalogue (lines, groups, products) and the case system's cases.
 */
export const SUPPORT_TABLES: readonly SupportTable[] = [
  {
    name: 'analysts',
    columns: columns([
      ['aid', INT],
      ['name', text(100)],
      ['team', text(50)],
      ['skills', text(200)],
      ['updated_at', TS],
    ]),
    key: 'aid',
    indexes: [['updated_at']],
  },
  {
    name: 'products',
    columns: columns([
      ['id', INT],
      ['parent_id', INT, true],
      ['name', text(100)],
      ['updated_at', TS],
    ]),
    key: 'id',
    indexes: [['updated_at']],
  },
  {
    name: 'cases',
    columns: columns([
      ['case_id', INT],
      ['product_id', INT],
      ['priority', text(2)],
      ['created_at', TS],
      ['updated_at', TS],
    ]),
    key: 'case_id',
    indexes: [['updated_at'], ['created_at']],
  },
]

/** A support table's column names, in order. */
export function columnNames(table: string): string[] {
  return supportTable(table).columns.map((column) => column.name)
}

function supportTable(name: string): SupportTable {
  const table = SUPPORT_TABLES.find((t) => t.name === name)
  if (!table) throw new Error(`no support table "${name}"`)
  return table
}

/** Drops the support tables that exist and creates them empty, without keys (loads are faster without). */
export async function createSupportTables(db: Database): Promise<void> {
  for (const table of SUPPORT_TABLES) {
    await db.query(sql`drop table if exists ${sql.id(table.name)}`)
    await db.query(db.createTableSql(table.name, table.columns))
  }
}

/** Each table's primary key and indexes, made after the first load: one sort is cheaper than growing them row by row. */
export async function indexSupportTables(db: Database): Promise<void> {
  for (const table of SUPPORT_TABLES) {
    await db.query(sql`alter table ${sql.id(table.name)} add primary key (${sql.id(table.key)})`)
    for (const columns of table.indexes) await db.ensureIndex(table.name, columns)
  }
}
