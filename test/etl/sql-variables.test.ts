import test from 'ava'
import { bindSqlVariables } from '../../src/etl/sql-variables.js'

test('sql variables: :name becomes the number given, wherever it stands in the statement', (t) => {
  t.is(bindSqlVariables('delete from t where exec_seq = :exec_seq and n <> :exec_seq', { exec_seq: 3 }), 'delete from t where exec_seq = 3 and n <> 3')
  t.is(bindSqlVariables('select (:exec_seq)', { exec_seq: 12 }), 'select (12)')
})

test('sql variables: casts, quoted text and names not given are left as psql leaves them', (t) => {
  t.is(bindSqlVariables("select x::bigint, ':exec_seq', \":exec_seq\" from t", { exec_seq: 3 }), "select x::bigint, ':exec_seq', \":exec_seq\" from t")
  t.is(bindSqlVariables("select 'it''s :exec_seq', a[1:n], :other", { exec_seq: 3 }), "select 'it''s :exec_seq', a[1:n], :other")
  t.is(bindSqlVariables('select :exec_sequel', { exec_seq: 3 }), 'select :exec_sequel')
})

test('sql variables: a value that is not a finite number is refused', (t) => {
  t.throws(() => bindSqlVariables('select :n', { n: Number.NaN }), { message: /:n must be a finite number/ })
})
