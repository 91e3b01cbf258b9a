import fs from 'node:fs'
import { z } from 'zod'
import { EtlError } from '../../errors.js'
import { PLAIN_IDENTIFIER } from '../table-metadata.js'

const name = z.string().regex(PLAIN_IDENTIFIER, 'letters, digits and _, not starting with a digit, at most 63 long')
const names = z.array(name)
const tableRef = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}\.[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a schema-qualified table, e.g. "staging.analysts"')
const unknownValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')

const scd2 = z.strictObject({
  name,
  kind: z.literal('scd2'),
  source: tableRef,
  naturalKey: names.min(1, 'name the natural key column(s)'),
  tracked: names.min(1, 'an SCD type 2 dimension needs tracked columns: a change in one opens a new version'),
  type1: names.default([]),
  effectiveFrom: name,
  unknown: unknownValues.default({}),
})

const scd1 = z.strictObject({
  name,
  kind: z.literal('scd1'),
  source: tableRef,
  naturalKey: names.min(1, 'name the natural key column(s)'),
  type1: names.min(1, 'name the columns kept up to date in place'),
  unknown: unknownValues.default({}),
})

const hierarchy = z.strictObject({
  name,
  kind: z.literal('hierarchy'),
  source: tableRef,
  id: name,
  parent: name,
  label: name,
  levels: names.min(1, 'a flattened hierarchy needs its levels, top first, e.g. ["product_line", "product_group", "product"]'),
  unknown: z.string().default('Unknown'),
})

const calendar = z.strictObject({
  name,
  kind: z.literal('calendar'),
  from: isoDate.optional(),
  to: isoDate.optional(),
  holidays: z.string().optional(),
  fiscalYearStartMonth: z.number().int().min(1).max(12).default(1),
})

const dimension = z.discriminatedUnion('kind', [scd2, scd1, hierarchy, calendar])

const dimensionReference = z.strictObject({
  dimension: name,
  key: name,
  on: z.record(z.string(), name),
  asOf: name.optional(),
})

const fact = z.strictObject({
  name,
  source: tableRef,
  naturalKey: names.min(1, 'name the fact\'s natural key: one row per value of it'),
  accumulating: z.boolean().default(false),
  dimensions: z.array(dimensionReference).default([]),
  dates: z.array(z.strictObject({ column: name, key: name })).default([]),
  measures: names.default([]),
})

const model = z.strictObject({
  schema: name,
  dimensions: z.array(dimension).min(1, 'a dimensional dictionary describes at least one dimension'),
  facts: z.array(fact).default([]),
})

export type Scd2Dimension = z.infer<typeof scd2>
export type Scd1Dimension = z.infer<typeof scd1>
export type HierarchyDimension = z.infer<typeof hierarchy>
export type CalendarDimension = z.infer<typeof calendar>
export type Dimension = z.infer<typeof dimension>
export type DimensionReference = z.infer<typeof dimensionReference>
export type Fact = z.infer<typeof fact>

/**
 * A star schema as a dimensional dictionary describes it: its schema, dimensions (SCD type 2, type
 * 1, a flattened hierarchy, a calendar) and facts, validated as a whole. One dictionary drives the
 * first build and every periodic merge.
 */
export interface DimensionalModel {
  readonly schema: string
  readonly dimensions: readonly Dimension[]
  readonly facts: readonly Fact[]
  /** The dictionary file, for messages. */
  readonly file: string
}

/** Reads and validates a dimensional dictionary file (see {@link parseDimensionalModel}). */
export function loadDimensionalModel(file: string): DimensionalModel {
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw new EtlError('ETL_ERR_METADATA_UNREADABLE', `${file}: not a readable JSON dimensional dictionary (${(error as Error).message}); fix the file`, { cause: error })
  }
  return parseDimensionalModel(raw, file)
}

/**
 * Validates a dimensional dictionary before anything runs: its shape, then what refers to what (a
 * fact's dimensions exist, its keys and dates are distinct columns, an SCD2 dimension's columns do
 * not overlap, a calendar's range is in order). Each problem names the file, the dimension or fact,
 * the field, the bad value and the fix.
 */
export function parseDimensionalModel(raw: unknown, file: string): DimensionalModel {
  const parsed = model.safeParse(raw)
  if (!parsed.success) throw shapeError(raw, file, parsed.error.issues[0]!)
  const result = { ...parsed.data, file }
  checkReferences(result)
  return result
}

function checkReferences(m: DimensionalModel): void {
  const dims = new Map<string, Dimension>()
  for (const dim of m.dimensions) {
    if (dims.has(dim.name)) throw invalid(m.file, `dimension "${dim.name}"`, 'name', dim.name, 'it is defined twice; give each dimension its own name')
    dims.set(dim.name, dim)
    checkDimension(m.file, dim)
  }
  const calendars = m.dimensions.filter((dim) => dim.kind === 'calendar')
  if (calendars.length > 1) throw invalid(m.file, `dimension "${calendars[1]!.name}"`, 'kind', 'calendar', 'a star schema has one calendar dimension; remove the second')
  const facts = new Set<string>()
  for (const f of m.facts) {
    const at = `fact "${f.name}"`
    if (facts.has(f.name) || dims.has(f.name)) throw invalid(m.file, at, 'name', f.name, 'a dimension or fact of that name exists already; rename one')
    facts.add(f.name)
    const columns = new Set<string>()
    const claim = (column: string, field: string) => {
      if (columns.has(column)) throw invalid(m.file, at, field, column, 'the fact table already has a column of that name; rename it')
      columns.add(column)
    }
    for (const ref of f.dimensions) {
      const dim = dims.get(ref.dimension)
      if (!dim) throw invalid(m.file, at, 'dimensions[].dimension', ref.dimension, `no such dimension; define it under "dimensions" (defined: ${[...dims.keys()].join(', ')})`)
      if (dim.kind === 'calendar') throw invalid(m.file, at, 'dimensions[].dimension', ref.dimension, 'the calendar is referenced through "dates", which turns each date column into its calendar key')
      checkReference(m.file, at, ref, dim)
      claim(ref.key, 'dimensions[].key')
    }
    if (f.dates.length && calendars.length === 0) throw invalid(m.file, at, 'dates', f.dates[0]!.column, 'date keys need a calendar dimension; add one with "kind": "calendar"')
    for (const date of f.dates) claim(date.key, 'dates[].key')
  }
}

function checkDimension(file: string, dim: Dimension): void {
  const at = `dimension "${dim.name}"`
  switch (dim.kind) {
    case 'scd2': {
      const seen = new Map<string, string>()
      for (const [field, list] of [['naturalKey', dim.naturalKey], ['tracked', dim.tracked], ['type1', dim.type1], ['effectiveFrom', [dim.effectiveFrom]]] as const) {
        for (const column of list) {
          const other = seen.get(column)
          if (other) throw invalid(file, at, field, column, `it is also in "${other}"; a column is either the key, tracked, type 1 or the effective date`)
          seen.set(column, field)
        }
      }
      for (const column of Object.keys(dim.unknown)) {
        if (!seen.has(column) || column === dim.effectiveFrom) throw invalid(file, at, 'unknown', column, `not a column of the dimension; name one of ${[...dim.naturalKey, ...dim.tracked, ...dim.type1].join(', ')}`)
      }
      return
    }
    case 'scd1': {
      for (const column of dim.type1) if (dim.naturalKey.includes(column)) throw invalid(file, at, 'type1', column, 'it is part of the natural key; a key column is never overwritten');
      return
    }
    case 'hierarchy': {
      const columns = new Set(['id'])
      for (const level of dim.levels) {
        if (columns.has(level)) throw invalid(file, at, 'levels', level, 'each level needs its own column name (and "id" is the leaf\'s key)')
        columns.add(level)
      }
      return
    }
    case 'calendar': {
      if (dim.from && dim.to && dim.from > dim.to) throw invalid(file, at, 'to', dim.to, `it is before "from" (${dim.from}); swap them`)
      return
    }
  }
}

function checkReference(file: string, at: string, ref: DimensionReference, dim: Exclude<Dimension, CalendarDimension>): void {
  const keys = dim.kind === 'hierarchy' ? ['id'] : dim.naturalKey
  const given = Object.keys(ref.on)
  for (const column of given) {
    if (!keys.includes(column)) throw invalid(file, at, `dimensions["${ref.dimension}"].on`, column, `"${dim.name}" is looked up by its natural key (${keys.join(', ')}); map those columns to the fact's`)
  }
  const missing = keys.filter((column) => !given.includes(column))
  if (missing.length) throw invalid(file, at, `dimensions["${ref.dimension}"].on`, JSON.stringify(ref.on), `map every natural key column of "${dim.name}"; missing: ${missing.join(', ')}`)
  if (ref.asOf && dim.kind !== 'scd2') throw invalid(file, at, `dimensions["${ref.dimension}"].asOf`, ref.asOf, `"${dim.name}" keeps no versions; "asOf" applies to SCD type 2 dimensions only`)
}

function shapeError(raw: unknown, file: string, issue: z.core.$ZodIssue): EtlError {
  const path = issue.path
  const where = locate(raw, path)
  const field = path.slice(where.depth).map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[') || '(top level)'
  const value = valueAt(raw, path)
  const fix = issue.code === 'unrecognized_keys' ? `remove ${issue.keys.map((key) => `"${key}"`).join(', ')}: not a field here` : issue.message
  const shown = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : value === undefined ? '(missing)' : JSON.stringify(value)
  return new EtlError('ETL_ERR_DIMENSIONAL_INVALID', `${file}: ${where.label}, field ${field}: ${shown} is not valid; ${fix}`)
}

/** "dimension \"d_analysts\"" for a path into dimensions[2], so a message names the thing, not its index. */
function locate(raw: unknown, path: readonly PropertyKey[]): { label: string; depth: number } {
  const [section, index] = path
  if ((section === 'dimensions' || section === 'facts') && typeof index === 'number') {
    const entry = valueAt(raw, [section, index]) as Record<string, unknown> | undefined
    const label = typeof entry?.name === 'string' ? `"${entry.name}"` : `#${index + 1}`
    return { label: `${section === 'dimensions' ? 'dimension' : 'fact'} ${label}`, depth: 2 }
  }
  return { label: 'the dictionary', depth: 0 }
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw
  for (const part of path) value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined
  return value
}

function invalid(file: string, at: string, field: string, value: string, fix: string): EtlError {
  return new EtlError('ETL_ERR_DIMENSIONAL_INVALID', `${file}: ${at}, field ${field}: "${value}" is not valid; ${fix}`)
}

/**
 * Checks that every column a dimension or fact reads exists in its source, for the sources whose
 * columns are known before anything runs (a pipeline's staging tables, from their dictionaries):
 * a misspelt column is refused at start, naming the file, the entry, the field and the columns
 * there are, rather than failing a step after staging has run. Sources not in `known` are left to
 * the build, which describes them.
 */
export function checkSourceColumns(model: DimensionalModel, known: ReadonlyMap<string, readonly string[]>): void {
  const check = (at: string, source: string, fields: ReadonlyArray<readonly [string, readonly string[]]>) => {
    const columns = known.get(source)
    if (!columns) return
    for (const [field, names] of fields) {
      for (const name of names) {
        if (!columns.includes(name)) throw invalid(model.file, at, field, name, `${source} has no such column; it has ${columns.join(', ')}`)
      }
    }
  }
  for (const dim of model.dimensions) {
    const at = `dimension "${dim.name}"`
    if (dim.kind === 'scd2') check(at, dim.source, [['naturalKey', dim.naturalKey], ['tracked', dim.tracked], ['type1', dim.type1], ['effectiveFrom', [dim.effectiveFrom]]])
    if (dim.kind === 'scd1') check(at, dim.source, [['naturalKey', dim.naturalKey], ['type1', dim.type1]])
    if (dim.kind === 'hierarchy') check(at, dim.source, [['id', [dim.id]], ['parent', [dim.parent]], ['label', [dim.label]]])
  }
  for (const fact of model.facts) {
    check(`fact "${fact.name}"`, fact.source, [
      ['naturalKey', fact.naturalKey],
      ['dimensions[].on', fact.dimensions.flatMap((ref) => Object.values(ref.on))],
      ['dimensions[].asOf', fact.dimensions.flatMap((ref) => (ref.asOf ? [ref.asOf] : []))],
      ['dates[].column', fact.dates.map((date) => date.column)],
      ['measures', fact.measures],
    ])
  }
}
