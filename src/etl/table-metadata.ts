import fs from 'node:fs'
import path from 'node:path'
import { EtlError } from '../errors.js'

/** A name the toolkit writes into SQL: letters, digits and `_`, not starting with a digit, at most 63 long. */
export const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** The comparisons a dictionary's `where` may use; values are always bound parameters. */
export const WHERE_OPERATORS = ['=', '<>', '<', '<=', '>', '>=', 'is null', 'is not null'] as const
export type WhereOperator = (typeof WHERE_OPERATORS)[number]

/** One condition of an extract's extra where clause: `column op value`. */
export interface WhereCondition {
  readonly column: string
  readonly op: WhereOperator
  /** Bound as a parameter; absent for `is null` / `is not null`. */
  readonly value?: string | number | boolean
}

/** What a sequence does about rows whose watermark is NULL, which no watermark window can select. */
export type NullWatermarkPolicy = 'warn' | 'error'

/** What a sequence does about store rows whose key the source no longer has (dbt's `hard_deletes`). */
export type HardDeletePolicy = 'ignore' | 'flag' | 'delete'

/**
 * How far before the previous end watermark a sequence's window starts, to catch rows committed late
 * with a watermark already passed: a span of time for a date or time watermark, a number for a
 * numeric one.
 */
export type Lookback =
  | { readonly kind: 'interval'; readonly seconds: number; readonly text: string }
  | { readonly kind: 'number'; readonly amount: number }

/** A schema-qualified table the toolkit writes to: `{ schema: 'landing', name: 'orders' }`. */
export interface QualifiedTable {
  readonly schema: string
  readonly name: string
}

/**
 * One source table, as a metadata dictionary describes it: what to extract, how, and where it lands
 * and is stored. The seed's seven fields: columns, where clause, incremental or full, watermark
 * column, landing table, store table, unique key columns.
 */
export interface TableMetadata {
  /** The source table (in the source connection's default schema). */
  readonly table: string
  readonly columns: readonly string[]
  readonly where: readonly WhereCondition[]
  readonly mode: 'incremental' | 'full'
  /** The column whose growth marks new and changed rows; required for `incremental`. */
  readonly watermark: string | undefined
  readonly landing: QualifiedTable
  readonly store: QualifiedTable
  /** The unique key of the store table; the upsert matches on it. */
  readonly key: readonly string[]
  /** Rows whose watermark is NULL are counted every sequence; `error` fails the sequence before it extracts. @defaultValue 'warn' */
  readonly nullWatermark: NullWatermarkPolicy
  /** The column used where the watermark is NULL, in the extract and the end watermark alike. */
  readonly fallback: string | undefined
  /** Each sequence's window starts this far before the previous end watermark. @defaultValue none */
  readonly lookback: Lookback | undefined
  /** What to do with store rows whose key the source lost. @defaultValue 'ignore' */
  readonly hardDeletes: HardDeletePolicy
  /** An incremental table reconciles its keys with the source every this many sequences (with `hardDeletes`). */
  readonly reconcileEvery: number | undefined
  /** The dictionary file it came from, for messages. */
  readonly file: string
}

/** A pipeline's defaults for the entries of its dictionaries, so two pipelines' tables never meet. */
export interface MetadataDefaults {
  /** The schema of a table's landing table when its entry names none. @defaultValue 'landing' */
  readonly landingSchema?: string
  /** The schema of a table's store table when its entry names none. @defaultValue 'store' */
  readonly storeSchema?: string
}

const FIELDS = ['table', 'columns', 'where', 'mode', 'watermark', 'landing', 'store', 'key', 'nullWatermark', 'fallback', 'lookback', 'hardDeletes', 'reconcileEvery'] as const

/** `"2 hours"`, `"30 minutes"`, `"1 day"`: a whole number and a unit. */
const INTERVAL = /^(\d{1,9}) ?(second|minute|hour|day|week)s?$/
const UNIT_SECONDS: Readonly<Record<string, number>> = { second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800 }

/** The suffix of the table a reconciliation lands the source's keys in, beside the landing table. */
export const KEYS_TABLE_SUFFIX = '_keys'

/**
 * Whether sequence `seq` reconciles the table's store with the source's keys: every sequence of a
 * full table with `hardDeletes`, every `reconcileEvery`-th of an incremental one.
 */
export function reconcilesHardDeletes(meta: TableMetadata, seq: number): boolean {
  if (meta.hardDeletes === 'ignore') return false
  return meta.mode === 'full' || (meta.reconcileEvery !== undefined && seq % meta.reconcileEvery === 0)
}

/** The landing table of the source's keys, for a table that reconciles hard deletes. */
export function keysLandingTable(meta: TableMetadata): QualifiedTable {
  return { schema: meta.landing.schema, name: `${meta.landing.name}${KEYS_TABLE_SUFFIX}` }
}

/** `schema.table` for messages and table references. */
export function qualified(table: QualifiedTable): string {
  return `${table.schema}.${table.name}`
}

/**
 * Reads every `*.json` dictionary in `dir` (in name order) and validates all of it before returning:
 * each problem names the file, the table, the field, the bad value and the fix. Table names must be
 * unique across files.
 */
export function loadMetadataDir(dir: string, defaults: MetadataDefaults = {}): TableMetadata[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith('.json')).sort()
  } catch (error) {
    throw new EtlError('ETL_ERR_METADATA_UNREADABLE', `cannot read the metadata folder ${dir}: ${(error as Error).message}; create it with one .json dictionary per source system`, { cause: error })
  }
  if (names.length === 0) throw new EtlError('ETL_ERR_METADATA_UNREADABLE', `the metadata folder ${dir} has no .json dictionaries; add one (see README: "Metadata dictionaries")`)
  const tables: TableMetadata[] = []
  for (const name of names) {
    const file = path.join(dir, name)
    let raw: unknown
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (error) {
      throw new EtlError('ETL_ERR_METADATA_UNREADABLE', `${file}: not readable JSON (${(error as Error).message}); fix the syntax`, { cause: error })
    }
    tables.push(...parseMetadata(raw, file, defaults))
  }
  const seen = new Map<string, string>()
  for (const table of tables) {
    const other = seen.get(table.table)
    if (other) throw invalid(table.file, table.table, 'table', table.table, `it is already described in ${other}; describe each source table once`)
    seen.set(table.table, table.file)
  }
  return tables
}

/**
 * Validates one dictionary file's content: `{ "tables": [ { "table": …, "columns": […], … } ] }`.
 * Throws `ETL_ERR_METADATA_INVALID` on the first problem.
 */
export function parseMetadata(raw: unknown, file: string, defaults: MetadataDefaults = {}): TableMetadata[] {
  if (!isRecord(raw) || !Array.isArray(raw.tables)) {
    throw new EtlError('ETL_ERR_METADATA_INVALID', `${file}: expected an object { "tables": [ … ] }, got ${show(raw)}; wrap the table entries in "tables"`)
  }
  for (const key of Object.keys(raw)) {
    if (key !== 'tables') throw new EtlError('ETL_ERR_METADATA_INVALID', `${file}: unknown top-level field "${key}"; only "tables" is allowed`)
  }
  return raw.tables.map((entry, index) => parseEntry(entry, file, index, defaults))
}

/** Validates one table entry on its own (a dictionary built in code). */
export function parseTableEntry(entry: unknown, file: string, defaults: MetadataDefaults = {}): TableMetadata {
  return parseEntry(entry, file, 0, defaults)
}

function parseEntry(entry: unknown, file: string, index: number, defaults: MetadataDefaults): TableMetadata {
  const where0 = `entry #${index + 1}`
  if (!isRecord(entry)) throw new EtlError('ETL_ERR_METADATA_INVALID', `${file}: ${where0} must be an object, got ${show(entry)}`)
  const table = identifier(entry.table, file, where0, 'table')
  for (const key of Object.keys(entry)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw invalid(file, table, key, entry[key], `"${key}" is not a dictionary field; the fields are ${FIELDS.join(', ')}`)
  }
  if (!Array.isArray(entry.columns) || entry.columns.length === 0) throw invalid(file, table, 'columns', entry.columns, 'list the columns to extract, e.g. ["id", "updated_datetime"]')
  const columns = entry.columns.map((column) => identifier(column, file, table, 'columns'))
  const duplicate = columns.find((column, i) => columns.indexOf(column) !== i)
  if (duplicate) throw invalid(file, table, 'columns', duplicate, 'the column is listed twice; list each column once')
  const known = (field: string, column: unknown): string => {
    const name = identifier(column, file, table, field)
    if (!columns.includes(name)) throw invalid(file, table, field, name, `it is not one of the table's columns (${columns.join(', ')}); add it to "columns" or fix the name`)
    return name
  }
  const mode = entry.mode ?? 'incremental'
  if (mode !== 'incremental' && mode !== 'full') throw invalid(file, table, 'mode', mode, 'use "incremental" or "full"')
  if (mode === 'incremental' && (entry.watermark === undefined || entry.watermark === null)) {
    throw invalid(file, table, 'watermark', entry.watermark, 'an incremental table needs a watermark column (e.g. "updated_datetime"), or set "mode": "full"')
  }
  const watermark = entry.watermark === undefined || entry.watermark === null ? undefined : known('watermark', entry.watermark)
  if (!Array.isArray(entry.key) || entry.key.length === 0) {
    throw invalid(file, table, 'key', entry.key, 'the store table needs its unique key columns, e.g. ["order_no", "order_line_no"]')
  }
  const key = entry.key.map((column) => known('key', column))
  const dupKey = key.find((column, i) => key.indexOf(column) !== i)
  if (dupKey) throw invalid(file, table, 'key', dupKey, 'the key column is listed twice')
  const where = entry.where === undefined ? [] : Array.isArray(entry.where) ? entry.where.map((condition) => whereCondition(condition, file, table, known)) : invalid(file, table, 'where', entry.where, 'give a list of { "column", "op", "value" } conditions')
  const landing = qualifiedTable(entry.landing ?? `${defaults.landingSchema ?? 'landing'}.${table}`, file, table, 'landing')
  const edges = watermarkEdges(entry, file, table, mode, watermark, known)
  const deletes = hardDeleteFields(entry, file, table, mode, landing)
  return Object.freeze({
    table,
    columns: Object.freeze(columns),
    where: Object.freeze(where),
    mode,
    watermark,
    landing,
    store: qualifiedTable(entry.store ?? `${defaults.storeSchema ?? 'store'}.${table}`, file, table, 'store'),
    key: Object.freeze(key),
    ...edges,
    ...deletes,
    file,
  })
}

/** `nullWatermark`, `fallback` and `lookback`: only an incremental table has a watermark to apply them to. */
function watermarkEdges(
  entry: Record<string, unknown>,
  file: string,
  table: string,
  mode: string,
  watermark: string | undefined,
  known: (field: string, column: unknown) => string,
): Pick<TableMetadata, 'nullWatermark' | 'fallback' | 'lookback'> {
  for (const field of ['nullWatermark', 'fallback', 'lookback'] as const) {
    if (entry[field] !== undefined && mode !== 'incremental') invalid(file, table, field, entry[field], 'only an incremental table has a watermark; remove the field, or set "mode": "incremental" with a "watermark"')
  }
  const nullWatermark = entry.nullWatermark ?? 'warn'
  if (nullWatermark !== 'warn' && nullWatermark !== 'error') invalid(file, table, 'nullWatermark', nullWatermark, 'use "warn" (count and warn, the default) or "error" (fail the sequence before it extracts)')
  const fallback = entry.fallback === undefined ? undefined : known('fallback', entry.fallback)
  if (fallback !== undefined && fallback === watermark) invalid(file, table, 'fallback', fallback, 'the fallback is used where the watermark is NULL, so it must be another column (e.g. "created_datetime")')
  return { nullWatermark: nullWatermark as NullWatermarkPolicy, fallback, lookback: lookback(entry.lookback, file, table) }
}

function lookback(raw: unknown, file: string, table: string): Lookback | undefined {
  if (raw === undefined) return undefined
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw < 0) invalid(file, table, 'lookback', raw, 'give a number of at least 0 (for a numeric watermark), or a span such as "2 hours" (for a time watermark)')
    return Object.freeze({ kind: 'number', amount: raw })
  }
  const match = typeof raw === 'string' ? INTERVAL.exec(raw.trim()) : null
  if (!match) return invalid(file, table, 'lookback', raw, 'write a span as a whole number and a unit, such as "30 minutes", "2 hours" or "1 day" (a time watermark), or give a number (a numeric watermark)')
  return Object.freeze({ kind: 'interval', seconds: Number(match[1]) * UNIT_SECONDS[match[2]!]!, text: (raw as string).trim() })
}

/** `hardDeletes` and `reconcileEvery`: a full table reconciles every sequence, an incremental one every N. */
function hardDeleteFields(entry: Record<string, unknown>, file: string, table: string, mode: string, landing: QualifiedTable): Pick<TableMetadata, 'hardDeletes' | 'reconcileEvery'> {
  const hardDeletes = entry.hardDeletes ?? 'ignore'
  if (hardDeletes !== 'ignore' && hardDeletes !== 'flag' && hardDeletes !== 'delete') {
    invalid(file, table, 'hardDeletes', hardDeletes, 'use "ignore" (the default), "flag" (set etl_deleted_at_seq on the store row) or "delete" (remove the store row)')
  }
  const every = entry.reconcileEvery
  if (every === undefined) {
    if (mode === 'incremental' && hardDeletes !== 'ignore') invalid(file, table, 'reconcileEvery', every, `an incremental table finds hard deletes by reading the source's keys; say how often, e.g. "reconcileEvery": 7 (every 7th sequence), or set "hardDeletes": "ignore"`)
    return { hardDeletes: hardDeletes as HardDeletePolicy, reconcileEvery: undefined }
  }
  if (mode !== 'incremental') invalid(file, table, 'reconcileEvery', every, 'a full table is reconciled by every sequence (its extract is the whole table); remove the field')
  if (hardDeletes === 'ignore') invalid(file, table, 'reconcileEvery', every, 'reconciling keys is for hard deletes; set "hardDeletes": "flag" or "delete", or remove the field')
  if (typeof every !== 'number' || !Number.isInteger(every) || every < 1) invalid(file, table, 'reconcileEvery', every, 'give a whole number of sequences, at least 1 (1: every sequence)')
  if (!PLAIN_IDENTIFIER.test(`${landing.name}${KEYS_TABLE_SUFFIX}`)) {
    invalid(file, table, 'landing', qualified(landing), `the source's keys land in "${landing.name}${KEYS_TABLE_SUFFIX}", which is longer than 63; give the landing table a shorter name`)
  }
  return { hardDeletes: hardDeletes as HardDeletePolicy, reconcileEvery: every as number }
}

function whereCondition(raw: unknown, file: string, table: string, known: (field: string, column: unknown) => string): WhereCondition {
  if (!isRecord(raw)) return invalid(file, table, 'where', raw, 'each condition is { "column": …, "op": …, "value": … }')
  const column = known('where.column', raw.column)
  const op = raw.op
  if (typeof op !== 'string' || !(WHERE_OPERATORS as readonly string[]).includes(op)) invalid(file, table, 'where.op', op, `use one of ${WHERE_OPERATORS.join(', ')}`)
  const unary = op === 'is null' || op === 'is not null'
  const value = raw.value
  if (unary) {
    if (value !== undefined) invalid(file, table, 'where.value', value, `"${op}" takes no value; remove "value"`)
    return Object.freeze({ column, op: op as WhereOperator })
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') invalid(file, table, 'where.value', value, 'give a string, number or boolean (it is bound as a parameter)')
  return Object.freeze({ column, op: op as WhereOperator, value: value as string | number | boolean })
}

function qualifiedTable(raw: unknown, file: string, table: string, field: string): QualifiedTable {
  const parts = typeof raw === 'string' ? raw.split('.') : []
  if (parts.length !== 2 || !parts.every((part) => PLAIN_IDENTIFIER.test(part))) {
    invalid(file, table, field, raw, `write "schema.table" with plain identifiers (letters, digits, _), e.g. "${field}.${table}"`)
  }
  return Object.freeze({ schema: parts[0]!, name: parts[1]! })
}

function identifier(raw: unknown, file: string, table: string, field: string): string {
  if (typeof raw !== 'string' || !PLAIN_IDENTIFIER.test(raw)) {
    invalid(file, table, field, raw, 'names must be plain identifiers (a letter or _, then letters, digits or _; at most 63), so nothing in a dictionary reaches SQL unquoted')
  }
  return raw as string
}

function invalid(file: string, table: string, field: string, value: unknown, fix: string): never {
  throw new EtlError('ETL_ERR_METADATA_INVALID', `${file}: table "${table}", field "${field}": bad value ${show(value)}: ${fix}`)
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)'
  const text = JSON.stringify(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
