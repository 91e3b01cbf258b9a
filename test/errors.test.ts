import test from 'ava'
import { ErrorCodes, EtlError, isSchedulingError } from 'etl'

test('errors: every code in the catalogue equals its key, and the catalogue only grows on purpose', (t) => {
  for (const [key, code] of Object.entries(ErrorCodes)) t.is(key, code)
  t.is(Object.keys(ErrorCodes).length, 69)
})

test('errors: a bad parameter is a scheduling error, a task failure is not', (t) => {
  t.true(isSchedulingError(new EtlError('ETL_ERR_PARAM_INVALID', 'x')))
  t.false(isSchedulingError(new EtlError('ETL_ERR_TASK_TIMEOUT', 'x')))
  t.false(isSchedulingError(new Error('x')))
})
