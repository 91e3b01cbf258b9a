import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { bulkLoadRows, countLines, sql, textChunks, type Database } from 'etl'
import { ACCESS_LOG_FILE, DEFAULT_WEBLOG_DIR, IP_RANGES_FILE } from '../weblog-dir.js'
import {
  STATUSES,
  companyRows,
  customerNo,
  customerRows,
  demoSizes,
  ipRangesCsv,
  logLines,
  money,
  orderRows,
  productCode,
  productPriceRows,
  productRows,
  type DemoRow,
  type DemoSizes,
} from './demo-rows.js'
import { DEMO_TABLES } from './demo-schema.js'
import { SeededRandom } from './random.js'


export interface DemoInitOptions {
  /** 1 gives about 2,000 order lines and 200 log lines; the rest grows in proportion. @defaultValue 1 */
  scale?: number
  /** @defaultValue 42 */
  seed?: number
  /** @defaultValue {@link DEFAULT_WEBLOG_DIR} */
  weblogDir?: string
}

export interface DemoCounts {
  readonly [table: string]: number
}

const EPOCH = Date.UTC(2024, 0, 1)

/** `YYYY-MM-DD HH:MM:SS` (UTC). */
function ts(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

/**
 * Builds the sample order source of seed 003 in `db` (companies, customers, products, product_prices,
 * order_headers, order_lines, each with created/updated datetimes and is_deleted) and the web log
 * (with some malformed lines) plus the IP range table in `weblogDir`. Deterministic for a seed, at any
 * scale. Existing demo tables are replaced. Rows stream into the tables as they are made, so memory
 * stays flat at any scale.
 */
export async function initDemoSource(db: Database, options: DemoInitOptions = {}): Promise<DemoCounts> {
  const random = new SeededRandom(options.seed ?? 42)
  const size = demoSizes(options.scale ?? 1)
  for (const table of DEMO_TABLES) {
    await db.query(sql`drop table if exists ${sql.id(table.name)}`)
    await db.query(db.createTableSql(table.name, table.columns))
  }
  // A random datetime in the sample's 300 days, drawn from `r`.
  const whenFor = (r: SeededRandom) => () => ts(EPOCH + r.int(0, 300 * 86_400) * 1000)
  const when = whenFor(random)
  const counts: Record<string, number> = {}
  // One table after another, in the order their rows draw from `random`.
  counts.companies = await load(db, 'companies', companyRows(random, size, when))
  counts.customers = await load(db, 'customers', customerRows(random, size, when))
  counts.products = await load(db, 'products', productRows(random, size, when))
  counts.product_prices = await load(db, 'product_prices', productPriceRows(random, size, when))
  Object.assign(counts, await loadOrders(db, random, size, 1, size.orders, whenFor))
  for (const table of DEMO_TABLES) await indexDemoTable(db, table)
  const weblogDir = options.weblogDir ?? DEFAULT_WEBLOG_DIR
  await fs.mkdir(weblogDir, { recursive: true })
  await fs.writeFile(path.join(weblogDir, IP_RANGES_FILE), ipRangesCsv())
  const log = logLines(random, size, 1, size.logLines, () => EPOCH + random.int(0, 300 * 86_400) * 1000)
  await writeLines(path.join(weblogDir, ACCESS_LOG_FILE), log, 'w')
  return { ...Object.fromEntries(DEMO_TABLES.map((table) => [table.name, counts[table.name]!])), access_log_lines: size.logLines }
}

/**
 * Moves the sample source on by one "day": new orders with their lines, status updates, soft-deleted
 * order lines and customers, a price change, and new access-log lines. Every change carries an
 * `updated_datetime` after the newest one in the source, so the next run has exactly these rows as
 * incremental work. Deterministic for a given source state.
 */
export async function advanceDemoSource(db: Database, options: { weblogDir?: string; seed?: number } = {}): Promise<DemoCounts> {
  const latest = await db.query(sql`select max(${sql.id('updated_datetime')}) as t from ${sql.id('order_lines')}`)
  const maxOrder = await db.query(sql`select max(${sql.id('order_no')}) as n, count(*) as c from ${sql.id('order_headers')}`)
  const companies = await db.query(sql`select count(*) as c from ${sql.id('companies')}`)
  const customers = await db.query(sql`select count(*) as c from ${sql.id('customers')}`)
  const products = await db.query(sql`select count(*) as c from ${sql.id('products')}`)
  const lastOrder = Number(maxOrder.rows[0]!.n ?? 0)
  const scale = Math.max(1, Math.round(Number(companies.rows[0]!.c) / 10))
  const size = { ...demoSizes(scale), customers: Number(customers.rows[0]!.c), products: Number(products.rows[0]!.c) }
  const random = new SeededRandom((options.seed ?? 42) + lastOrder)
  const maxText = String(latest.rows[0]!.t ?? ts(EPOCH)).slice(0, 19)
  const dayStart = Date.parse(`${maxText.replace(' ', 'T')}Z`) + 3_600_000
  // A random datetime in the new day, drawn from `r`.
  const whenFor = (r: SeededRandom) => () => ts(dayStart + r.int(0, 86_399) * 1000)
  const newOrders = Math.max(1, Math.round(size.orders * 0.01))
  const added = await loadOrders(db, random, size, lastOrder + 1, newOrders, whenFor)
  const when = whenFor(random)
  const updates = pickDistinct(random, Math.max(1, Math.round(lastOrder * 0.01)), lastOrder)
  for (const order of updates) {
    await db.query(sql`update ${sql.id('order_headers')} set ${sql.id('status')} = ${random.pick(STATUSES)}, ${sql.id('updated_datetime')} = ${when()} where ${sql.id('order_no')} = ${order}`)
  }
  const deletions = pickDistinct(random, Math.max(1, Math.round(lastOrder * 0.005)), lastOrder)
  for (const order of deletions) {
    await db.query(sql`update ${sql.id('order_lines')} set ${sql.id('is_deleted')} = ${true}, ${sql.id('updated_datetime')} = ${when()} where ${sql.id('order_no')} = ${order} and ${sql.id('order_line_no')} = ${1}`)
  }
  const customer = customerNo(random.int(1, size.customers))
  await db.query(sql`update ${sql.id('customers')} set ${sql.id('is_deleted')} = ${true}, ${sql.id('updated_datetime')} = ${when()} where ${sql.id('customer_document_no')} = ${customer}`)
  const product = productCode(random.int(1, size.products))
  await db.query(sql`update ${sql.id('products')} set ${sql.id('default_price')} = ${money(random.int(100, 50_000))}, ${sql.id('updated_datetime')} = ${when()} where ${sql.id('product_code')} = ${product}`)
  const weblogDir = options.weblogDir ?? DEFAULT_WEBLOG_DIR
  const logFile = path.join(weblogDir, ACCESS_LOG_FILE)
  const lineCount = await countLines(logFile)
  const logCount = Math.max(1, Math.round(size.logLines * 0.1))
  await fs.mkdir(weblogDir, { recursive: true })
  await writeLines(logFile, logLines(random, size, lineCount + 1, logCount, () => dayStart + random.int(0, 86_399) * 1000), 'a')
  return {
    order_headers_new: added.order_headers!,
    order_lines_new: added.order_lines!,
    order_headers_updated: updates.length,
    order_lines_deleted: deletions.length,
    customers_deleted: 1,
    products_updated: 1,
    access_log_lines: logCount,
  }
}

/**
 * Loads orders into order_headers and order_lines. Each order draws its header and lines together,
 * so the orders are made twice from the same state: once for the headers, then, from a copy of the
 * generator as it was, for the lines. `random` ends where one pass leaves it, as if made once.
 */
async function loadOrders(db: Database, random: SeededRandom, size: DemoSizes, first: number, count: number, whenFor: (r: SeededRandom) => () => string) {
  const again = random.clone()
  const order_headers = await load(db, 'order_headers', map(orderRows(random, size, first, count, whenFor(random)), (order) => [order.header]))
  const order_lines = await load(db, 'order_lines', map(orderRows(again, size, first, count, whenFor(again)), (order) => order.lines))
  return { order_headers, order_lines }
}

function* map<T, R>(items: Iterable<T>, each: (item: T) => Iterable<R>): Generator<R> {
  for (const item of items) yield* each(item)
}

function pickDistinct(random: SeededRandom, count: number, max: number): number[] {
  const picked = new Set<number>()
  while (picked.size < Math.min(count, max)) picked.add(random.int(1, max))
  return [...picked].sort((a, b) => a - b)
}

/**
 * The unique key, and the watermark index an incremental source should have (max() and the window
 * read only what they need). Made after the load: one sort is cheaper than growing them row by row.
 */
async function indexDemoTable(db: Database, table: (typeof DEMO_TABLES)[number]): Promise<void> {
  await db.query(sql`create unique index ${sql.id(`ux_${table.name}`)} on ${sql.id(table.name)} (${sql.join(table.key.map((k) => sql.id(k)))})`)
  await db.query(sql`create index ${sql.id(`ix_${table.name}_updated`)} on ${sql.id(table.name)} (${sql.id('updated_datetime')})`)
}

/** Bulk-loads a demo table's rows as they are generated. Resolves with the row count. */
function load(db: Database, table: string, rows: Iterable<DemoRow>): Promise<number> {
  return bulkLoadRows(db, table, DEMO_TABLES.find((t) => t.name === table)!.columns.map((c) => c.name), rows)
}

/** Writes (`'w'`) or appends (`'a'`) lines to a file in chunks, as they are generated. */
async function writeLines(file: string, lines: Iterable<string>, flags: 'w' | 'a'): Promise<void> {
  await pipeline(Readable.from(textChunks('', lines)), createWriteStream(file, { flags }))
}
