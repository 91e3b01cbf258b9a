import path from 'node:path'
import test, { type ExecutionContext } from 'ava'
import { RunHistory, type AttemptRecord, type HistoryClient, type SetAsideRecord } from 'etl'
import { createDatabase } from '../../src/db/create-database.js'
import { postgresConfigFromUrl } from '../../src/db/postgres/postgres-url.js'
import { tempDir } from '../helpers/daemon-helpers.js'
import { TEST_POSTGRES_URL, tempSchema } from '../helpers/postgres.js'

/** The same checks against each database the history can live in. */
async function conformance(t: ExecutionContext, client: HistoryClient, schema?: string) {
  const history = new RunHistory(client, schema ? { schema } : {})
  await history.migrate()
  const attempt = { taskId: 'A_1', workerId: 'w1', takenAt: 1000, runId: 'r1', family: 'A', params: { n: '1' }, startedAt: 1000 }
  history.listener({ type: 'run', replay: false, run: { id: 'r1', label: 'A(n=1)', startedAt: 900, endedAt: undefined, status: 'running', rootIds: ['A_1'], workerIds: ['w1'] } })
  history.listener({ type: 'attempt', replay: false, attempt: { ...attempt, status: 'RUNNING' } })
  history.listener({
    type: 'attempt',
    replay: false,
    attempt: { ...attempt, status: 'FAILED', startedAt: 1005, endedAt: 1500, error: { message: 'bad', stack: 'Error: bad\n  at x' }, log: [{ at: 1001, level: 'info', message: 'hi' }] },
  })
  history.listener({ type: 'attempt', replay: false, attempt: { ...attempt, takenAt: 2000, startedAt: 2000, endedAt: 2100, status: 'DONE', result: { rows: 7 } } })
  history.recordScheduleRun({ id: 'nightly@1', schedule: 'nightly', task: 'A', dueAt: 1, status: 'missed', message: 'while down' })
  await history.flush()
  // Replayed after a restart, the RUNNING event must not take the finished attempt back.
  history.listener({ type: 'attempt', replay: true, attempt: { ...attempt, status: 'RUNNING' } })
  history.listener({ type: 'run', replay: false, run: { id: 'r1', label: 'A(n=1)', startedAt: 900, endedAt: 2200, status: 'failed', rootIds: ['A_1'], workerIds: ['w1'] } })
  await history.flush()

  const attempts = await history.attemptsOfTask('A_1', 10)
  t.deepEqual(
    attempts.map((a) => [a.takenAt, a.status]),
    [
      [2000, 'DONE'],
      [1000, 'FAILED'],
    ],
  )
  t.deepEqual(attempts[1]!.error, { message: 'bad', stack: 'Error: bad\n  at x' })
  t.deepEqual(attempts[1]!.log, [{ at: 1001, level: 'info', message: 'hi' }])
  t.is(attempts[1]!.startedAt, 1005)
  t.deepEqual(attempts[0]!.result, { rows: 7 })
  const { runs, total } = await history.runs({ limit: 10, offset: 0 })
  t.is(total, 1)
  t.like(runs[0], { id: 'r1', status: 'failed', endedAt: 2200, rootIds: ['A_1'] })
  t.deepEqual(await history.attemptCounts(['r1']), { r1: { DONE: 1, FAILED: 1 } })
  t.is((await history.attemptsOfRun('r1', 10)).length, 2)
  t.like((await history.scheduleRuns({ limit: 5 }))[0], { id: 'nightly@1', status: 'missed' })
  t.is(history.status, 'ready')
  await poisonRows(t, client, schema)
  await history.close()
}

/**
 * What used to stop the history for good: a NUL in an error (Postgres refuses it in jsonb, so the batch
 * was retried forever and journal compaction waited on it), and a row the database refuses outright.
 */
async function poisonRows(t: ExecutionContext, client: HistoryClient, schema?: string) {
  const setAside: SetAsideRecord[] = []
  const history = new RunHistory(client, { ...(schema ? { schema } : {}), setAside: (record) => setAside.push(record) })
  await history.migrate()
  const attempt = (taskId: string, takenAt: number, extra: Partial<AttemptRecord> = {}): AttemptRecord => ({ taskId, workerId: 'w9', takenAt, runId: 'r9', family: 'P', params: { n: '1' }, status: 'FAILED', startedAt: 1, endedAt: 2, ...extra })
  history.listener({ type: 'attempt', replay: false, attempt: attempt('P_nul', 10, { error: { message: 'bad\u0000byte and half a pair \ud800 here' }, log: [{ at: 1, level: 'info', message: 'nul\u0000' }], params: { 'k\u0000': 'v' } }) })
  history.listener({ type: 'attempt', replay: false, attempt: attempt('P_poison', 1e20) })
  history.listener({ type: 'attempt', replay: false, attempt: attempt('P_after', 11) })
  history.listener({ type: 'run', replay: false, run: { id: 'r9', label: 'P\u0000', startedAt: 1, endedAt: 2, status: 'failed', rootIds: [], workerIds: [] } })
  await history.flush()
  t.is(history.pending, 0, 'nothing is left waiting: the journal can be compacted')
  t.is((await history.attemptsOfTask('P_nul', 5))[0]!.error!.message, 'bad\ufffdbyte and half a pair \ufffd here')
  t.deepEqual((await history.attemptsOfTask('P_nul', 5))[0]!.params, { 'k\ufffd': 'v' })
  t.is((await history.attemptsOfTask('P_after', 5)).length, 1, 'the rows after the refused one are written')
  t.is((await history.run('r9'))!.label, 'P\ufffd')
  t.is(setAside.length, 1)
  t.like(setAside[0], { table: 'attempts' })
  t.is(setAside[0]!.key, 'P_poison w9 100000000000000000000')
  t.regex(setAside[0]!.reason, /out of range for type bigint/)
  await history.flush()
}

test('run-history: attempts, runs and scheduled runs are kept in the embedded database', async (t) => {
  const dir = await tempDir('history')
  await conformance(t, createDatabase('history', { dialect: 'pglite', path: path.join(dir, 'history') }))
})

test('run-history: attempts, runs and scheduled runs are kept in Postgres, in their own schema', async (t) => {
  const { schema, drop } = await tempSchema()
  t.teardown(drop)
  await conformance(t, createDatabase('history', postgresConfigFromUrl(TEST_POSTGRES_URL, 'history url')), schema)
})

test('run-history: a database that cannot be reached is reported without its password, and the queue waits', async (t) => {
  const history = new RunHistory(createDatabase('history', postgresConfigFromUrl('postgres://etl:hunter2@127.0.0.1:1/nowhere', 'history url')))
  await t.throwsAsync(history.migrate())
  t.regex(history.status, /^unavailable: /)
  t.false(history.status.includes('hunter2'))
  history.recordScheduleRun({ id: 'x', schedule: 's', task: 'A', dueAt: 1, status: 'skipped' })
  await history.flush()
  t.is(history.pending, 1)
  await history.close().catch(() => {})
})

test('run-history: a Postgres URL becomes a connection, and a malformed one is refused without echoing it', (t) => {
  t.deepEqual(postgresConfigFromUrl('postgresql://etl:p%40ss@db.internal:6543/dw?sslmode=require', 'scheduler.history.url'), {
    dialect: 'postgres',
    host: 'db.internal',
    port: 6543,
    user: 'etl',
    password: 'p@ss',
    database: 'dw',
    ssl: true,
  })
  // pg read sslmode=prefer as TLS: it must not quietly become a plain connection.
  t.is(postgresConfigFromUrl('postgres://etl@db/dw?sslmode=prefer', 'scheduler.history.url').ssl, true)
  t.is(postgresConfigFromUrl('postgres://etl@db/dw?sslmode=disable', 'scheduler.history.url').ssl, undefined)
  t.is(postgresConfigFromUrl('postgres:///dw?host=/var/run/postgresql', 'scheduler.history.url').host, '/var/run/postgresql')
  // What cannot be honoured is refused, naming the setting and the value, not dropped.
  t.throws(() => postgresConfigFromUrl('postgres://etl@db/dw?sslmode=no-verify', 'scheduler.history.url'), { message: /scheduler\.history\.url has sslmode=no-verify, which is not supported here/ })
  t.throws(() => postgresConfigFromUrl('postgres://etl@db/dw?application_name=x', 'scheduler.history.url'), { message: /has the parameter "application_name", which is not supported here; supported: sslmode, host/ })
  const error = t.throws(() => postgresConfigFromUrl('mysql://root:hunter2@x/db', 'scheduler.history.url'))
  t.regex(error.message, /scheduler\.history\.url starts with "mysql:\/\/"; expected postgres:\/\/user:password@host:5432\/database/)
  t.false(error.message.includes('hunter2'))
})

test('run-history: a history the previous release made is upgraded in place by its migrations, its rows kept', async (t) => {
  const { schema, drop } = await tempSchema()
  t.teardown(drop)
  const client = createDatabase('history', postgresConfigFromUrl(TEST_POSTGRES_URL, 'history url'))
  t.teardown(() => client.close())
  // The previous release's DDL, as it created the table, and a row of its.
  await client.query(`CREATE SCHEMA "${schema}"`)
  await client.query(`CREATE TABLE "${schema}".etl_runs (run_id text PRIMARY KEY, label text NOT NULL, started_at bigint NOT NULL, ended_at bigint,
    status text NOT NULL, root_ids jsonb NOT NULL, worker_ids jsonb NOT NULL)`)
  await client.query(`INSERT INTO "${schema}".etl_runs VALUES ('r0', 'Old(password=hunter2)', 1, 2, 'succeeded', '[]', '[]')`)
  const history = new RunHistory(client, { schema })
  await history.migrate()
  const { rows } = await client.query(`SELECT id FROM "${schema}".etl_migrations WHERE component = 'etl.history' ORDER BY id`)
  t.deepEqual(rows.map((row) => Number(row.id)), [1, 2])
  const old = await history.run('r0')
  t.like(old, { status: 'succeeded' })
  t.notRegex(old!.label, /hunter2/, 'an older row is masked when read')
  await history.close()
})
