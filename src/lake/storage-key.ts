import { EtlError } from '../errors.js'

/**
 * Checks a lake key: relative, `/`-separated, with no empty, `.` or `..` parts, so a key can never
 * point outside the lake and means the same thing locally and in S3.
 */
export function checkStorageKey(key: string, location: string, allowEmpty = false): string {
  if (allowEmpty && key === '') return key
  const parts = key.split('/')
  const bad =
    typeof key !== 'string' || key === '' ? 'it is empty'
    : key.startsWith('/') ? 'it starts with "/"'
    : key.includes('\\') ? 'it holds a backslash'
    : key.includes('\0') ? 'it holds a NUL character'
    : parts.some((part, index) => part === '' && !(allowEmpty && index === parts.length - 1)) ? 'it has an empty part ("//" or a trailing "/")'
    : parts.some((part) => part === '.' || part === '..') ? 'it has a "." or ".." part'
    : undefined
  if (bad) throw new EtlError('ETL_ERR_LAKE_KEY_INVALID', `lake key ${JSON.stringify(key)} in ${location} is invalid: ${bad}; use a relative path such as "landing/orders/part-1.csv"`)
  return key
}
