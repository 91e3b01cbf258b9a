/** A value, or any nesting of arrays and records of it, as `requires()` and `output()` return. */
export type Structure<T> = T | null | undefined | readonly Structure<T>[] | { readonly [key: string]: Structure<T> }

/**
 * The leaves of a structure, depth-first and in order, without recursion (a structure can be deep).
 * `isLeaf` tells a leaf from a record to descend into.
 */
export function flatten<T>(structure: Structure<T>, isLeaf: (value: unknown) => value is T): T[] {
  const leaves: T[] = []
  const stack: unknown[] = [structure]
  while (stack.length > 0) {
    const value = stack.pop()
    if (value === null || value === undefined) continue
    if (isLeaf(value)) leaves.push(value)
    else if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push(value[i])
    else if (typeof value === 'object') {
      const children = Object.values(value)
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i])
    } else throw new TypeError(`expected a nested array or record, got ${typeof value} ${String(value)}`)
  }
  return leaves
}
