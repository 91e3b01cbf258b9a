import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ERROR_CATALOGUE, ErrorCodes, EtlError, httpStatusOf, isSchedulingError } from 'etl'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))
const TASKS = fileURLToPath(new URL('../tasks/', import.meta.url))

/** Every `ETL_ERR_…` code the framework's and the pipelines' sources name outside the catalogue, by file. */
function codesInSources(): Map<string, string> {
  const found = new Map<string, string>()
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(file)
      else if (entry.name.endsWith('.ts') && file !== path.join(SRC, 'errors.ts')) {
        for (const [code] of fs.readFileSync(file, 'utf8').matchAll(/ETL_ERR_[A-Z0-9_]+/g)) if (!found.has(code)) found.set(code, file)
      }
    }
  }
  walk(SRC)
  walk(TASKS)
  return found
}

test('errors: every code in the catalogue equals its key, and the catalogue only grows on purpose', (t) => {
  for (const [key, code] of Object.entries(ErrorCodes)) t.is(key, code)
  t.is(Object.keys(ErrorCodes).length, 83)
})

test('errors: a bad parameter is a scheduling error, a task failure is not', (t) => {
  t.true(isSchedulingError(new EtlError('ETL_ERR_PARAM_INVALID', 'x')))
  t.false(isSchedulingError(new EtlError('ETL_ERR_TASK_TIMEOUT', 'x')))
  t.false(isSchedulingError(new Error('x')))
})

test('errors: every code the sources raise is catalogued, and every catalogued code is raised somewhere', (t) => {
  const used = codesInSources()
  t.deepEqual([...used].filter(([code]) => !(code in ERROR_CATALOGUE)).map(([code, file]) => `${code} (${file})`), [], 'named in the sources but not catalogued')
  t.deepEqual(Object.keys(ERROR_CATALOGUE).filter((code) => !used.has(code)), [], 'catalogued but never raised')
})

test('errors: each entry carries the exit class and the HTTP status the edges answer with', (t) => {
  t.true(isSchedulingError(new EtlError('ETL_ERR_CONFIG_INVALID', 'x')))
  t.is(httpStatusOf(new EtlError('ETL_ERR_DAEMON_LEASE_INVALID', 'x')), 409)
  t.is(httpStatusOf(new EtlError('ETL_ERR_DAEMON_REQUEST_TOO_LARGE', 'x')), 413)
  t.is(httpStatusOf(new EtlError('ETL_ERR_DB_QUERY_FAILED', 'x')), 500)
  for (const entry of Object.values(ERROR_CATALOGUE)) t.true(entry.status >= 400 && entry.status < 600)
})
