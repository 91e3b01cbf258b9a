import type pg from 'pg'

/**
 * Types pg would turn into lossy JavaScript values (bigint and numeric into floats, timestamps into
 * `Date`s that drop microseconds and shift by the local zone); they are returned as the server wrote
 * them instead. Oids from `pg_type`.
 */
const KEEP_AS_TEXT = new Set([
  20, // int8
  1700, // numeric
  1082, // date
  1083, // time
  1266, // timetz
  1114, // timestamp
  1184, // timestamptz
  1186, // interval
  114, // json
  3802, // jsonb
  790, // money
  1016, // int8[]
  1231, // numeric[]
])

const identity = (value: string): string => value

/**
 * pg's `types` option with {@link KEEP_AS_TEXT} returned unparsed and every other type parsed by
 * `types`, the loaded driver's own parsers (pg itself is loaded only on first use).
 */
export function losslessTypes(types: typeof pg.types): { getTypeParser: typeof pg.types.getTypeParser } {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      KEEP_AS_TEXT.has(oid) ? identity : types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
  }
}
