import { DEMO_COUNTRIES, USER_AGENTS, countryBlock } from './demo-schema.js'
import type { SeededRandom } from './random.js'

/** A row of a demo table, its values in the table's column order. */
export type DemoRow = readonly unknown[]

/** The shape of the sample at a scale, so init and advance agree. */
export interface DemoSizes {
  readonly companies: number
  readonly suppliers: number
  readonly customers: number
  readonly products: number
  readonly orders: number
  readonly logLines: number
}

export const STATUSES = ['NEW', 'CONFIRMED', 'SHIPPED', 'INVOICED']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const CATEGORIES = ['Tools', 'Office', 'Electrical', 'Plumbing', 'Safety', 'Packaging']
const FIRST = ['Ava', 'Ben', 'Chloe', 'Dan', 'Emma', 'Finn', 'Grace', 'Hugo', 'Isla', 'Jack']
const LAST = ['Smith', 'Müller', 'Dubois', 'García', 'Rossi', 'de Vries', 'Brown', 'Tanaka', "O'Neil", 'Silva']
const PATHS = ['/login', '/products', '/products/P00001', '/cart', '/checkout', '/orders', '/account']

export function demoSizes(scale: number): DemoSizes {
  const s = Math.max(1, Math.round(scale))
  return { companies: 10 * s, suppliers: 2 * s, customers: 50 * s, products: 40 * s, orders: 400 * s, logLines: 200 * s }
}

// Each generator below draws from `random` lazily, row by row: the sample is produced as it is
// loaded, never held whole, and a seed gives the same rows as long as the draws keep their order.

export function* companyRows(random: SeededRandom, size: DemoSizes, when: () => string): Generator<DemoRow> {
  for (let i = 0; i < size.companies; i++) {
    const t = when()
    // Customer companies cycle through the countries, so every country has buyers.
    const country = DEMO_COUNTRIES[(i + DEMO_COUNTRIES.length - (size.suppliers % DEMO_COUNTRIES.length)) % DEMO_COUNTRIES.length]!
    yield [i + 1, `Company ${i + 1}`, country, i < size.suppliers, t, t, false]
  }
}

export function* customerRows(random: SeededRandom, size: DemoSizes, when: () => string): Generator<DemoRow> {
  for (let i = 0; i < size.customers; i++) {
    const t = when()
    const first = random.pick(FIRST)
    const company = random.int(size.suppliers + 1, size.companies)
    yield [customerNo(i + 1), company, first, random.pick(LAST), `user${i + 1}`, `user${i + 1}@example.com`, t, t, false]
  }
}

export function* productRows(random: SeededRandom, size: DemoSizes, when: () => string): Generator<DemoRow> {
  for (let i = 0; i < size.products; i++) {
    const t = when()
    const category = random.pick(CATEGORIES)
    yield [productCode(i + 1), supplierOf(i + 1, size), `Product ${i + 1}`, category, money(random.int(100, 50_000)), t, t, false]
  }
}

/**
 * The supplier (a company id) of product number `product`. Products are keyed by code and supplier,
 * so the products table and the order lines must agree on it: both take it from here.
 */
export function supplierOf(product: number, size: DemoSizes): number {
  return 1 + (product % size.suppliers)
}

/** One or two customer companies' prices for every product. */
export function* productPriceRows(random: SeededRandom, size: DemoSizes, when: () => string): Generator<DemoRow> {
  for (let i = 0; i < size.products; i++) {
    const a = random.int(size.suppliers + 1, size.companies)
    const b = a === size.companies ? size.suppliers + 1 : a + 1
    for (const company of a === b ? [a] : [a, b]) {
      const t = when()
      yield [productCode(i + 1), company, money(random.int(100, 50_000)), t, t, false]
    }
  }
}

/** Orders `first` … `first + count - 1`, each a header with 1–9 lines. */
export function* orderRows(random: SeededRandom, size: DemoSizes, first: number, count: number, when: () => string): Generator<{ header: DemoRow; lines: DemoRow[] }> {
  for (let n = first; n < first + count; n++) {
    const t = when()
    const customer = random.int(1, size.customers)
    const header = [n, size.suppliers + 1 + ((customer * 7) % (size.companies - size.suppliers)), customerNo(customer), t, random.pick(STATUSES), t, t, false]
    const lineCount = random.int(1, 9)
    const lines: DemoRow[] = []
    for (let line = 1; line <= lineCount; line++) {
      const product = random.int(1, size.products)
      const quantity = random.int(1, 20)
      lines.push([n, line, productCode(product), supplierOf(product, size), quantity, money(random.int(100, 50_000)), t, t, false])
    }
    yield { header, lines }
  }
}

/** Access-log lines (each ending in a newline), numbered from `firstLine`. */
export function* logLines(random: SeededRandom, size: DemoSizes, firstLine: number, count: number, when: () => number): Generator<string> {
  for (let lineNo = firstLine; lineNo < firstLine + count; lineNo++) {
    // Every 37th line is malformed, in a few different ways; every 53rd has an impossible date.
    if (lineNo % 37 === 0) {
      yield random.pick(['garbage line without structure', '10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "GET /', '', '\t"just quotes"']) + '\n'
      continue
    }
    const d = new Date(when())
    const stamp = lineNo % 53 === 0 ? `31/Feb/2024:25:61:00 +0000` : `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
    const country = random.int(0, DEMO_COUNTRIES.length - 1)
    // Country 0 gets extra traffic so "the country with the most logins" is clear-cut.
    const block = countryBlock(random.next() < 0.3 ? 0 : country)
    const ip = `${random.int(block.first, block.last)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`
    const user = `user${random.int(1, size.customers)}`
    const status = random.pick([200, 200, 200, 302, 404])
    yield `${ip} - ${user} [${stamp}] "GET ${random.pick(PATHS)} HTTP/1.1" ${status} ${random.int(200, 9000)} "-" "${random.pick(USER_AGENTS)}"\n`
  }
}

/** The local IP range table: one block of addresses per country. */
export function ipRangesCsv(): string {
  const lines = ['start_ip,end_ip,country']
  DEMO_COUNTRIES.forEach((country, index) => {
    const block = countryBlock(index)
    lines.push(`${block.first}.0.0.0,${block.last}.255.255.255,${country}`)
  })
  return `${lines.join('\n')}\n`
}

export function customerNo(n: number): string {
  return `D${String(n).padStart(7, '0')}`
}

export function productCode(n: number): string {
  return `P${String(n).padStart(5, '0')}`
}

export function money(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}
