import { EtlError } from '../errors.js'
import { columnTypeLabel, type ColumnDescription, type ColumnType } from './column-type.js'
import type { DatabaseCapabilities, Statement } from './database.js'
import { indexName } from './index-name.js'
import { splitScript, STANDARD_SCRIPT_SYNTAX, type ScriptStatement, type ScriptSyntax } from './sql-script.js'
import { compileSql, Sql, sql, type CompiledSql, type SqlSyntax } from './sql.js'
import { tableLabel, tableName, type TableRef } from './table-ref.js'
import type { UpsertSpec } from './upsert.js'

/** A dialect's answer for a portable type: its own type name, or why it cannot hold it. */
export type NativeType = string | { readonly unmappable: string }

export interface CreateTableOptions {
  /** `create table if not exists`. @defaultValue false */
  readonly ifNotExists?: boolean
  /**
   * Where the table was to go, as the error for a column this dialect cannot hold names it
   * (a `Database` passes its description, `connection "warehouse" (redshift …)`).
   * @defaultValue the dialect's name
   */
  readonly on?: string
  /** The table's primary key columns. @defaultValue none */
  readonly primaryKey?: readonly string[]
}

/** One column an update sets, to a value that may refer to the source's alias `s`. */
export interface UpdateAssignment {
  readonly column: string
  readonly value: Sql
}

/** How to give a table an index unless it has one by that name. */
export interface IndexStatements {
  /** A query that returns a row when the index exists, for dialects without `create index if not exists`. */
  readonly exists?: Sql
  readonly create: Sql
}

const DEFAULT_CAPABILITIES: DatabaseCapabilities = Object.freeze({ copyFromS3: false, transactionalDdl: true })

/**
 * How one SQL dialect writes SQL, with no connection: placeholders and quoting (so it compiles `sql`
 * templates), type names and `CREATE TABLE`, index DDL, the upsert. Every method here is the default
 * (ANSI where there is one, else Postgres' spelling, as kysely's `DefaultQueryCompiler`); a dialect
 * overrides only what it writes differently, the way dbt's `postgres__x` overrides `default__x`. A
 * generator the toolkit adds (SCD2 merge, hierarchy, calendar, fact load) goes here as a default, with
 * overrides in the dialects that need them.
 *
 * ```ts
 * const { text, values } = mysqlDialect.compile(sql`select * from ${sql.id('orders')} where id = ${7}`)
 * // text: 'select * from `orders` where id = ?', values: [7]
 * ```
 */
export abstract class SqlDialect implements SqlSyntax {
  /** The dialect's name: what SQL written for it is called (`report.postgres.sql`). */
  abstract readonly name: string

  /** This dialect's type for a portable one. */
  abstract nativeType(type: ColumnType): NativeType

  /** What the dialect can do beyond the common interface. */
  get capabilities(): DatabaseCapabilities {
    return DEFAULT_CAPABILITIES
  }

  /**
   * The statement that opens a read-only transaction, in which the database refuses every write
   * (`Database.readOnly`): the standard's, which Postgres, MySQL and MariaDB, and Redshift all take.
   */
  readOnlyBeginSql(): string {
    return 'start transaction read only'
  }

  /** What this dialect's scripts hold beyond standard SQL: by default Postgres' dollar-quoted bodies. */
  get scriptSyntax(): ScriptSyntax {
    return STANDARD_SCRIPT_SYNTAX
  }

  /**
   * A script cut into its statements at the `;` that end them, keeping each stored procedure,
   * function, `DO` block or compound `BEGIN … END` whole (see `splitScript`), for a driver that runs
   * one statement at a time.
   */
  splitScript(script: string): ScriptStatement[] {
    return splitScript(script, this.scriptSyntax)
  }

  /** The placeholder for the `index`-th bound value (1-based): `$1`. */
  placeholder(index: number): string {
    return `$${index}`
  }

  /** One identifier, double-quoted (quotes inside doubled). */
  quoteIdentifier(name: string): string {
    return `"${name.replace(/"/g, '""')}"`
  }

  /** A literal to write in place of a value the dialect cannot bind; undefined binds it. */
  inlineLiteral(_value: unknown): string | undefined {
    return undefined
  }

  /** A table reference, quoted and schema-qualified as given. */
  quoteTable(table: TableRef): string {
    const { schema, name } = tableName(table)
    return schema === undefined ? this.quoteIdentifier(name) : `${this.quoteIdentifier(schema)}.${this.quoteIdentifier(name)}`
  }

  /** Compiles a `sql` template to this dialect's text and values, or passes dialect text and its params through. */
  compile(statement: Statement, params: readonly unknown[] = []): CompiledSql {
    return statement instanceof Sql ? compileSql(statement, this) : { text: statement, values: [...params] }
  }

  /**
   * `CREATE TABLE` for columns described on any database, in this dialect's types (a landing table).
   * Throws `ETL_ERR_DB_TYPE_UNMAPPABLE`, naming the column and the fix, for a type it cannot hold.
   */
  createTableSql(table: TableRef, columns: readonly ColumnDescription[], options: CreateTableOptions = {}): string {
    const lines = columns.map((column) => `  ${this.quoteIdentifier(column.name)} ${checkedNativeType(this, table, column, options)}${column.nullable ? '' : ' not null'}`)
    if (options.primaryKey?.length) lines.push(`  primary key (${options.primaryKey.map((column) => this.quoteIdentifier(column)).join(', ')})`)
    return `create table ${options.ifNotExists ? 'if not exists ' : ''}${this.quoteTable(table)} (\n${lines.join(',\n')}\n)`
  }

  /**
   * `alter table … add primary key (…)`, for a table filled before its key is built: one sort of
   * the loaded rows is far cheaper than a million inserts into a growing index.
   */
  addPrimaryKeySql(table: TableRef, columns: readonly string[]): string {
    return `alter table ${this.quoteTable(table)} add primary key (${columns.map((column) => this.quoteIdentifier(column)).join(', ')})`
  }

  /** A date's or a timestamp's calendar key, the integer `YYYYMMDD`; by default with `extract`, which every dialect has. */
  dateKeySql(value: Sql): Sql {
    return sql`extract(year from ${value}) * 10000 + extract(month from ${value}) * 100 + extract(day from ${value})`
  }

  /** `alter table … add column …`, the column in this dialect's type (nullable unless described otherwise). */
  addColumnSql(table: TableRef, column: ColumnDescription): string {
    return `alter table ${this.quoteTable(table)} add column ${this.quoteIdentifier(column.name)} ${checkedNativeType(this, table, column, {})}${column.nullable ? '' : ' not null'}`
  }

  /**
   * The index `Database.ensureIndex` gives `table` on `columns` (named `<table>_<columns>_idx`), or
   * undefined where the dialect has no indexes. By default `create index if not exists`.
   */
  ensureIndexSql(table: TableRef, columns: readonly string[]): IndexStatements | undefined {
    return { create: sql`create index if not exists ${sql.id(indexName(table, columns))} on ${sql.table(table)} (${sql.join(columns.map((column) => sql.id(column)))})` }
  }

  /**
   * An update of `target` (alias `t`) from the rows of `source` (alias `s`) that `match`:
   * `update … set … from …` (Postgres, Redshift); MySQL joins instead.
   */
  updateFromSql(target: TableRef, source: Sql, match: Sql, set: readonly UpdateAssignment[]): Sql {
    const assignments = sql.join(set.map((item) => sql`${sql.id(item.column)} = ${item.value}`))
    return sql`update ${sql.table(target)} as t set ${assignments} from ${source} s where ${match}`
  }

  /**
   * A temporary table of a query's rows, private to the connection, for a step to read more than once.
   * It is dropped first, should an earlier failed attempt on the same pooled connection have left it.
   */
  createTemporaryTableSql(name: string, query: Sql): Sql[] {
    return [this.dropTemporaryTableSql(name), sql`create temporary table ${sql.id(name)} as ${query}`]
  }

  /** Drops a temporary table if it exists. */
  dropTemporaryTableSql(name: string): Sql {
    return sql`drop table if exists ${sql.id(name)}`
  }

  /**
   * The statements that upsert `spec.rows` into `spec.target` on `spec.key`, to run in one
   * transaction, in order. The portable default: stage the rows, delete the rows they replace, insert
   * them (Redshift keeps it: it has no ON CONFLICT).
   */
  upsertSql(spec: UpsertSpec): Sql[] {
    const stage = sql.id(`etl_upsert_${tableName(spec.target).name}`.slice(0, 63))
    const target = sql.table(spec.target)
    const columns = sql.join(spec.columns.map((column) => sql.id(column)))
    const match = sql.join(
      spec.key.map((column) => sql`${target}.${sql.id(column)} = s.${sql.id(column)}`),
      ' and ',
    )
    return [
      sql`create temporary table ${stage} as select * from (${spec.rows}) r`,
      sql`delete from ${target} using ${stage} s where ${match}`,
      sql`insert into ${target} (${columns}) select ${columns} from ${stage}`,
      sql`drop table ${stage}`,
    ]
  }
}

/** The dialect's type for a column, or the error naming the table, the column, its type and the fix. */
function checkedNativeType(dialect: SqlDialect, table: TableRef, column: ColumnDescription, options: CreateTableOptions): string {
  const native = dialect.nativeType(column.type)
  if (typeof native === 'string') return native
  throw new EtlError(
    'ETL_ERR_DB_TYPE_UNMAPPABLE',
    `cannot create "${tableLabel(table)}" on ${options.on ?? dialect.name}: column "${column.name}" has type ${column.nativeType} (${columnTypeLabel(column.type)}), which ${dialect.name} cannot hold: ${native.unmappable}`,
  )
}
