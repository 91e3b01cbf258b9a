import type { ColumnDescription, ColumnType } from 'etl'

const INT: ColumnType = { kind: 'integer', bits: 32 }
const BIGINT: ColumnType = { kind: 'integer', bits: 64 }
const MONEY: ColumnType = { kind: 'decimal', precision: 12, scale: 2 }
const BOOL: ColumnType = { kind: 'boolean' }
const TS: ColumnType = { kind: 'timestamp', precision: 0, withTimeZone: false }
const text = (length: number): ColumnType => ({ kind: 'string', length })

function columns(list: readonly (readonly [string, ColumnType])[]): ColumnDescription[] {
  const audit = [
    ['created_datetime', TS],
    ['updated_datetime', TS],
    ['is_deleted', BOOL],
  ] as const
  return [...list, ...audit].map(([name, type]) => ({ name, nativeType: name, type, nullable: true }))
}

/** The sample B2B order source of seed 003: each table's columns and unique key. */
export const DEMO_TABLES: readonly { name: string; columns: ColumnDescription[]; key: string[] }[] = [
  {
    name: 'companies',
    columns: columns([
      ['company_id', INT],
      ['company_name', text(100)],
      ['country', text(60)],
      ['is_supplier', BOOL],
    ]),
    key: ['company_id'],
  },
  {
    name: 'customers',
    columns: columns([
      ['customer_document_no', text(20)],
      ['company_id', INT],
      ['first_name', text(50)],
      ['last_name', text(50)],
      ['username', text(50)],
      ['email', text(120)],
    ]),
    key: ['customer_document_no'],
  },
  {
    name: 'products',
    columns: columns([
      ['product_code', text(20)],
      ['supplier_id', INT],
      ['product_name', text(100)],
      ['category', text(50)],
      ['default_price', MONEY],
    ]),
    key: ['product_code', 'supplier_id'],
  },
  {
    name: 'product_prices',
    columns: columns([
      ['product_code', text(20)],
      ['company_id', INT],
      ['price', MONEY],
    ]),
    key: ['product_code', 'company_id'],
  },
  {
    name: 'order_headers',
    columns: columns([
      ['order_no', BIGINT],
      ['company_id', INT],
      ['customer_document_no', text(20)],
      ['order_datetime', TS],
      ['status', text(20)],
    ]),
    key: ['order_no'],
  },
  {
    name: 'order_lines',
    columns: columns([
      ['order_no', BIGINT],
      ['order_line_no', INT],
      ['product_code', text(20)],
      ['supplier_id', INT],
      ['quantity', INT],
      ['unit_price', MONEY],
    ]),
    key: ['order_no', 'order_line_no'],
  },
]

/** The sample's countries; each owns one block of (synthetic) IPv4 addresses in the range table. */
export const DEMO_COUNTRIES = ['United Kingdom', 'Germany', 'France', 'Spain', 'Italy', 'Netherlands', 'United States', 'Japan', 'Australia', 'Brazil'] as const

/** The first octet block of a country: `(20 + 10i).0.0.0` to `(29 + 10i).255.255.255`. */
export function countryBlock(index: number): { first: number; last: number } {
  return { first: 20 + index * 10, last: 29 + index * 10 }
}

export const USER_AGENTS = [
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'curl/8.5.0',
] as const
