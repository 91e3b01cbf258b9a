import test from 'ava'
import { EtlError, PlaceholderValues, parseTemplate, placeholdersIn, postgresDialect, mysqlDialect, type Placeholder, type PlaceholderScope } from 'etl'
import { bindStatement } from '../../src/steps/sql-binding.js'

const scope = (runTime: PlaceholderScope['runTime'] = new Map()): PlaceholderScope => ({
  owner: 'Load(day=2024-01-31)',
  params: new Map([['day', { value: '2024-01-31', text: '2024-01-31' }], ['note', { value: "'; drop table x; --", text: "'; drop table x; --" }]]),
  vars: { values: { db: { host: 'db.internal', port: 5432 }, schema: 'staging' }, files: ['vars.yaml'] },
  runTime,
})

test('placeholder: a template cuts at ${name}, ${a.b} and ${name:ident}, and $${…} is a literal', (t) => {
  t.deepEqual(parseTemplate('cp ${src} $${HOME}/${db.host}:${schema:ident}', 'here'), [
    'cp ',
    { name: 'src', path: ['src'], modifier: 'value', text: '${src}' },
    ' ${HOME}/',
    { name: 'db.host', path: ['db', 'host'], modifier: 'value', text: '${db.host}' },
    ':',
    { name: 'schema', path: ['schema'], modifier: 'ident', text: '${schema:ident}' },
  ])
  for (const bad of ['${}', '${a b}', '${x:upper}', '${open']) {
    const error = t.throws(() => parseTemplate(`echo ${bad}`, 'step "a"'), { instanceOf: EtlError })
    t.regex(error!.message, /^step "a": placeholder ".*" is malformed: .*; write \$\{name\}, \$\{name\.field\} or \$\{name:ident\}, or \$\$\{…\} for a literal \$\{…\}$/)
  }
})

test('placeholder: values come from the parameters, then the vars, then run-time results; a mapping is not a value', (t) => {
  const values = new PlaceholderValues(scope(new Map([['extract', { rows: 12 }], ['pending', undefined]])))
  const one = (text: string): Placeholder => placeholdersIn(text, 'x')[0]!
  const [day, host, rows] = placeholdersIn('${day}${db.host}${extract.rows}', 'x') as [Placeholder, Placeholder, Placeholder]
  t.like(values.resolve(day), { text: '2024-01-31', source: 'parameter' })
  t.like(values.resolve(host), { text: 'db.internal', source: 'vars' })
  t.like(values.resolve(rows), { value: 12, text: '12', source: 'run-time' })
  t.throws(() => values.resolve(one('${db}')), { message: /placeholder \$\{db\} is a mapping, not a value; name one of its fields: \$\{db\.host\}, \$\{db\.port\}/ })
  t.throws(() => values.resolve(one('${extract.files}')), { message: /"extract" returned no "files" \(it returned: rows\)/ })
  t.notThrows(() => values.check([one('${pending.n}')]), 'a run-time value is checked once its task has run')
})

test('placeholder: in SQL every value is a bound parameter in the dialect\'s style, and a name is quoted', (t) => {
  const values = new PlaceholderValues(scope())
  const [statement] = postgresDialect.splitScript('insert into ${schema:ident}.notes (day, note) values (${day}, ${note})')
  const bound = bindStatement(statement!, values, 'Load')
  t.deepEqual(postgresDialect.compile(bound), { text: 'insert into "staging".notes (day, note) values ($1, $2)', values: ['2024-01-31', "'; drop table x; --"] })
  const [mysql] = mysqlDialect.splitScript('insert into ${schema:ident}.notes (day, note) values (${day}, ${note})')
  t.deepEqual(mysqlDialect.compile(bindStatement(mysql!, values, 'Load')), { text: 'insert into `staging`.notes (day, note) values (?, ?)', values: ['2024-01-31', "'; drop table x; --"] })
  const [body] = postgresDialect.splitScript('do $$ begin delete from ${schema:ident}.t where day = ${day}; end $$')
  t.throws(() => bindStatement(body!, values, 'Load'), { message: /placeholder \$\{day\} is inside a dollar-quoted body, which the database receives as text and cannot bind a value in; pass the value as an argument/ })
})
