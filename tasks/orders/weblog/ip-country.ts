import { EtlError } from 'etl'

/** One range of the local IP table: `start`–`end` (IPv4, inclusive) belong to `country`. */
export interface IpRange {
  readonly start: number
  readonly end: number
  readonly country: string
}

/** What a lookup answers for an address no range covers (or that is not IPv4). */
export const UNKNOWN_COUNTRY = 'Unknown'

/** `10.0.0.1` → 167772161; `undefined` for anything that is not a dotted IPv4 address. */
export function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.')
  if (parts.length !== 4) return undefined
  let value = 0
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined
    value = value * 256 + Number(part)
  }
  return value
}

/**
 * The country of an IP address from a local range table (no network calls), each distinct address
 * looked up once: answers are remembered, and `lookups` counts the real lookups.
 */
export class IpCountryLookup {
  readonly #ranges: IpRange[]
  readonly #cache = new Map<string, string>()
  lookups = 0

  constructor(ranges: readonly IpRange[]) {
    this.#ranges = [...ranges].sort((a, b) => a.start - b.start)
  }

  /** Reads `start_ip,end_ip,country` CSV text (a header line first). */
  static fromCsv(text: string, file: string): IpCountryLookup {
    const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
    const ranges = lines.slice(1).map((line, index) => {
      const [start, end, ...country] = line.split(',')
      const from = ipv4ToNumber(start ?? '')
      const to = ipv4ToNumber(end ?? '')
      if (from === undefined || to === undefined || country.length === 0 || from > to) {
        throw new EtlError('ETL_ERR_ELT_INPUT_MISSING', `${file}, line ${index + 2}: expected start_ip,end_ip,country with IPv4 addresses, got ${JSON.stringify(line)}; fix the IP range table`)
      }
      return { start: from, end: to, country: country.join(',').trim() }
    })
    return new IpCountryLookup(ranges)
  }

  country(ip: string): string {
    const known = this.#cache.get(ip)
    if (known !== undefined) return known
    this.lookups += 1
    const found = this.#find(ip)
    this.#cache.set(ip, found)
    return found
  }

  #find(ip: string): string {
    const value = ipv4ToNumber(ip)
    if (value === undefined) return UNKNOWN_COUNTRY
    let low = 0
    let high = this.#ranges.length - 1
    while (low <= high) {
      const middle = (low + high) >> 1
      const range = this.#ranges[middle]!
      if (value < range.start) high = middle - 1
      else if (value > range.end) low = middle + 1
      else return range.country
    }
    return UNKNOWN_COUNTRY
  }
}
