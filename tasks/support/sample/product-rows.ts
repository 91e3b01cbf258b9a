/** A row of the products table: a product line (no parent), a product group, or a product. */
export interface ProductRow {
  readonly id: number
  readonly parent_id: number | null
  readonly name: string
  readonly updated_at: string
}

/** Three product lines, three groups each. */
const LINES = [
  { name: 'Connectivity', groups: ['Broadband', 'Mobile', 'VPN'] },
  { name: 'Devices', groups: ['Routers', 'Phones', 'Tablets'] },
  { name: 'Business Software', groups: ['Accounting', 'CRM', 'Security Suite'] },
] as const
const TIERS = ['Basic', 'Plus', 'Pro', 'Max'] as const
/** The product catalogue does not change over the sample's periods: it was last edited before them. */
const CATALOGUE_UPDATED_AT = '2023-12-01 00:00:00'

/**
 * The product hierarchy: lines 1–3, then their nine groups, then `perGroup` products under each
 * group (`Broadband Basic`, … `Broadband Max`, `Broadband Basic 2`, …).
 */
export function productRows(perGroup: number): ProductRow[] {
  const rows: ProductRow[] = LINES.map((line, i) => ({ id: i + 1, parent_id: null, name: line.name, updated_at: CATALOGUE_UPDATED_AT }))
  const groups = LINES.flatMap((line, i) => line.groups.map((name) => ({ parent: i + 1, name })))
  groups.forEach((group, i) => rows.push({ id: LINES.length + i + 1, parent_id: group.parent, name: group.name, updated_at: CATALOGUE_UPDATED_AT }))
  let id = LINES.length + groups.length
  groups.forEach((group, i) => {
    for (let n = 0; n < perGroup; n++) {
      const round = Math.floor(n / TIERS.length)
      rows.push({ id: ++id, parent_id: LINES.length + i + 1, name: `${group.name} ${TIERS[n % TIERS.length]}${round ? ` ${round + 1}` : ''}`, updated_at: CATALOGUE_UPDATED_AT })
    }
  })
  return rows
}

/** The ids of the products cases are about: the leaves of the hierarchy, ascending. */
export function leafProductIds(perGroup: number): number[] {
  const first = LINES.length + LINES.reduce((count, line) => count + line.groups.length, 0) + 1
  const groups = first - LINES.length - 1
  return Array.from({ length: groups * perGroup }, (_, i) => first + i)
}
