import fs from 'node:fs/promises'
import path from 'node:path'
import { CSV_LINE_END } from '../../csv/csv-encoder.js'
import { encodeCsvRecord } from '../../csv/csv-value.js'
import type { Database } from '../../db/database.js'
import { sql } from '../../db/sql.js'
import { DEMO_COUNTRIES, DEMO_TABLES, USER_AGENTS, countryBlock } from './demo-schema.js'
import { SeededRandom } from './random.js'

/** Where the demo writes the access log and the IP range table. @defaultValue `data/weblog` */
export const DEFAULT_WEBLOG_DIR = path.join('data', 'weblog')
export const ACCESS_LOG_FILE = 'access.log'
export const IP_RANGES_FILE = 'ip-ranges.csv'

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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const CATEGORIES = ['Tools', 'Office', 'Electrical', 'Plumbing', 'Safety', 'Packaging']
const FIRST = ['Ava', 'Ben', 'Chloe', 'Dan', 'Emma', 'Finn', 'Grace', 'Hugo', 'Isla', 'Jack']
const LAST = ['Smith', 'Müller', 'Dubois', 'García', 'Rossi', 'de Vries', 'Brown', 'Tanaka', "O'Neil", 'Silva']
const STATUSES = ['NEW', 'CONFIRMED', 'SHIPPED', 'INVOICED']
const PATHS = ['/login', '/products', '/products/P00001', '/cart', '/checkout', '/orders', '/account']
const EPOCH = Date.UTC(2024, 0, 1)

/** `YYYY-MM-DD HH:MM:SS` (UTC). */
function ts(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

/** The shape of the sample at a scale, so init and advance agree. */
function sizes(scale: number) {
  const s = Math.max(1, Math.round(scale))
  return { companies: 10 * s, suppliers: 2 * s, customers: 50 * s, products: 40 * s, orders: 400 * s, logLines: 200 * s }
}

/**
 * Builds the sample order source of seed 003 in `db` (companies, customers, products, product_prices,
 * order_headers, order_lines, each with created/updated datetimes and is_deleted) and the web log
 * (with some malformed lines) plus the IP range table in `weblogDir`. Deterministic for a seed, at any
 * scale. Existing demo tables are replaced.
 */
export async function initDemoSource(db: Database, options: DemoInitOptions = {}): Promise<DemoCounts> {
  const scale = options.scale ?? 1
  const random = new SeededRandom(options.seed ?? 42)
  const size = sizes(scale)
  for (const table of DEMO_TABLES) {
    await db.query(sql`drop table if exists ${sql.id(table.name)}`)
    await db.query(db.createTableSql(table.name, table.columns))
    await db.query(sql`create unique index ${sql.id(`ux_${table.name}`)} on ${sql.id(table.name)} (${sql.join(table.key.map((k) => sql.id(k)))})`)
    // As an incremental source should: the watermark is indexed, so max() and the window read only what they need.
    await db.query(sql`create index ${sql.id(`ix_${table.name}_updated`)} on ${sql.id(table.name)} (${sql.id('updated_datetime')})`)
  }
  const when = () => ts(EPOCH + random.int(0, 300 * 86_400) * 1000)
  const rows: Record<string, unknown[][]> = {}
  rows.companies = Array.from({ length: size.companies }, (_, i) => {
    const t = when()
    // Customer companies cycle through the countries, so every country has buyers.
    const country = DEMO_COUNTRIES[(i + DEMO_COUNTRIES.length - (size.suppliers % DEMO_COUNTRIES.length)) % DEMO_COUNTRIES.length]!
    return [i + 1, `Company ${i + 1}`, country, i < size.suppliers, t, t, false]
  })
  rows.customers = Array.from({ length: size.customers }, (_, i) => {
    const t = when()
    const first = random.pick(FIRST)
    return [`D${String(i + 1).padStart(7, '0')}`, random.int(size.suppliers + 1, size.companies), first, random.pick(LAST), `user${i + 1}`, `user${i + 1}@example.com`, t, t, false]
  })
  rows.products = Array.from({ length: size.products }, (_, i) => {
    const t = when()
    return [`P${String(i + 1).padStart(5, '0')}`, random.int(1, size.suppliers), `Product ${i + 1}`, random.pick(CATEGORIES), money(random.int(100, 50_000)), t, t, false]
  })
  rows.product_prices = rows.products.flatMap((product) => {
    const a = random.int(size.suppliers + 1, size.companies)
    const b = a === size.companies ? size.suppliers + 1 : a + 1
    return (a === b ? [a] : [a, b]).map((company) => {
      const t = when()
      return [product[0], company, money(random.int(100, 50_000)), t, t, false]
    })
  })
  const generated = orders(random, size, 1, size.orders, () => when())
  rows.order_headers = generated.headers
  rows.order_lines = generated.lines
  for (const table of DEMO_TABLES) await load(db, table.name, rows[table.name]!)
  const weblogDir = options.weblogDir ?? DEFAULT_WEBLOG_DIR
  await fs.mkdir(weblogDir, { recursive: true })
  await fs.writeFile(path.join(weblogDir, IP_RANGES_FILE), ipRangesCsv())
  const log = logLines(random, size, 1, size.logLines, () => EPOCH + random.int(0, 300 * 86_400) * 1000)
  await fs.writeFile(path.join(weblogDir, ACCESS_LOG_FILE), log.join(''))
  return { ...Object.fromEntries(DEMO_TABLES.map((table) => [table.name, rows[table.name]!.length])), access_log_lines: log.length }
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
  const size = { ...sizes(scale), customers: Number(customers.rows[0]!.c), products: Number(products.rows[0]!.c) }
  const random = new SeededRandom((options.seed ?? 42) + lastOrder)
  const maxText = String(latest.rows[0]!.t ?? ts(EPOCH)).slice(0, 19)
  const dayStart = Date.parse(`${maxText.replace(' ', 'T')}Z`) + 3_600_000
  const when = () => ts(dayStart + random.int(0, 86_399) * 1000)
  const newOrders = Math.max(1, Math.round(size.orders * 0.01))
  const generated = orders(random, size, lastOrder + 1, newOrders, when)
  await load(db, 'order_headers', generated.headers)
  await load(db, 'order_lines', generated.lines)
  const updates = pickDistinct(random, Math.max(1, Math.round(lastOrder * 0.01)), lastOrder)
  for (const order of updates) {
    await db.query(sql`update ${sql.id('order_headers')} set ${sql.id('status')} = ${random.pick(STATUSES)}, ${sql.id('updated_datetime')} = ${when()} where ${sql.id('order_no')} = ${order}`)
  }
  const deletions = pickDistinct(random, Math.max(1, Math.round(lastOrder * 0.005)), lastOrder)
  for (const order of deletions) {
    await db.query(sql`update ${sql.id('order_lines')} set ${sql.id('is_deleted')} = ${true}, ${sql.id('updated_datetime')} = ${when()} where ${sql.id('order_no')} = ${order} and ${sql.id('order_line_no')} = ${1}`)
  }
  const customer = `D${String(random.int(1, size.customers)).padStart(7, '0')}`
  await db.query(sql`update ${sql.id('customers')} set ${sql.id('is_deleted')} = ${true}, ${sql.id('updated_datetime')} = ${when()} where ${sql.id('customer_document_no')} = ${customer}`)
  const product = `P${String(random.int(1, size.products)).padStart(5, '0')}`
  await db.query(sql`update ${sql.id('products')} set ${sql.id('default_price')} = ${money(random.int(100, 50_000))}, ${sql.id('updated_datetime')} = ${when()} where ${sql.id('product_code')} = ${product}`)
  const weblogDir = options.weblogDir ?? DEFAULT_WEBLOG_DIR
  const logFile = path.join(weblogDir, ACCESS_LOG_FILE)
  const existing = await fs.readFile(logFile, 'utf8').catch(() => '')
  const lineCount = existing.split('\n').length - 1
  const log = logLines(random, size, lineCount + 1, Math.max(1, Math.round(size.logLines * 0.1)), () => dayStart + random.int(0, 86_399) * 1000)
  await fs.mkdir(weblogDir, { recursive: true })
  await fs.appendFile(logFile, log.join(''))
  return { order_headers_new: generated.headers.length, order_lines_new: generated.lines.length, order_headers_updated: updates.length, order_lines_deleted: deletions.length, customers_deleted: 1, products_updated: 1, access_log_lines: log.length }
}

function orders(random: SeededRandom, size: ReturnType<typeof sizes>, first: number, count: number, when: () => string) {
  const headers: unknown[][] = []
  const lines: unknown[][] = []
  for (let n = first; n < first + count; n++) {
    const t = when()
    const customer = random.int(1, size.customers)
    headers.push([n, size.suppliers + 1 + ((customer * 7) % (size.companies - size.suppliers)), `D${String(customer).padStart(7, '0')}`, t, random.pick(STATUSES), t, t, false])
    const lineCount = random.int(1, 9)
    for (let line = 1; line <= lineCount; line++) {
      const product = random.int(1, size.products)
      lines.push([n, line, `P${String(product).padStart(5, '0')}`, 1 + (product % size.suppliers), random.int(1, 20), money(random.int(100, 50_000)), t, t, false])
    }
  }
  return { headers, lines }
}

function logLines(random: SeededRandom, size: ReturnType<typeof sizes>, firstLine: number, count: number, when: () => number): string[] {
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    const lineNo = firstLine + i
    // Every 37th line is malformed, in a few different ways; every 53rd has an impossible date.
    if (lineNo % 37 === 0) {
      lines.push(random.pick(['garbage line without structure', '10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "GET /', '', '\t"just quotes"']) + '\n')
      continue
    }
    const d = new Date(when())
    const stamp =
      lineNo % 53 === 0
        ? `31/Feb/2024:25:61:00 +0000`
        : `${String(d.getUTCDate()).padStart(2, '0')}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')} +0000`
    const country = random.int(0, DEMO_COUNTRIES.length - 1)
    // Country 0 gets extra traffic so "the country with the most logins" is clear-cut.
    const block = countryBlock(random.next() < 0.3 ? 0 : country)
    const ip = `${random.int(block.first, block.last)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`
    const user = `user${random.int(1, size.customers)}`
    const status = random.pick([200, 200, 200, 302, 404])
    lines.push(`${ip} - ${user} [${stamp}] "GET ${random.pick(PATHS)} HTTP/1.1" ${status} ${random.int(200, 9000)} "-" "${random.pick(USER_AGENTS)}"\n`)
  }
  return lines
}

function ipRangesCsv(): string {
  const lines = ['start_ip,end_ip,country']
  DEMO_COUNTRIES.forEach((country, index) => {
    const block = countryBlock(index)
    lines.push(`${block.first}.0.0.0,${block.last}.255.255.255,${country}`)
  })
  return `${lines.join('\n')}\n`
}

function money(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
}

function pickDistinct(random: SeededRandom, count: number, max: number): number[] {
  const picked = new Set<number>()
  while (picked.size < Math.min(count, max)) picked.add(random.int(1, max))
  return [...picked].sort((a, b) => a - b)
}

async function load(db: Database, table: string, rows: unknown[][]): Promise<void> {
  const columns = DEMO_TABLES.find((t) => t.name === table)!.columns.map((c) => c.name)
  async function* csv(): AsyncGenerator<string> {
    yield encodeCsvRecord(columns) + CSV_LINE_END
    let chunk = ''
    for (const row of rows) {
      chunk += encodeCsvRecord(row) + CSV_LINE_END
      if (chunk.length > 256 * 1024) {
        yield chunk
        chunk = ''
      }
    }
    if (chunk) yield chunk
  }
  await db.bulkLoad(table, csv())
}
