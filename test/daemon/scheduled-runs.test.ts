import path from 'node:path'
import test from 'ava'
import { resolveConfig, startSchedulerDaemon } from 'etl'
import { FIXTURES, TS_NODE_ARGS, tempDir, waitFor } from '../helpers/daemon-helpers.js'
import { TEST_POSTGRES_URL, tempSchema } from '../helpers/postgres.js'

test('scheduled runs: a one-second cron starts a worker process whose run is recorded in the history', async (t) => {
  const dir = await tempDir('sched')
  const { schema, drop } = await tempSchema()
  t.teardown(drop)
  const config = resolveConfig({
    scheduler: { history: { type: 'postgres', url: TEST_POSTGRES_URL, schema }, runCommand: [process.execPath, ...TS_NODE_ARGS, path.join(FIXTURES, 'etl-cli.ts')] },
    schedules: [{ name: 'every-second', cron: '* * * * * *', task: 'Node', params: { i: 0, size: 3 } }],
  })
  process.env.ETL_TEST_OUTPUT_DIR = path.join(dir, 'output')
  const daemon = await startSchedulerDaemon({ config, port: 0, stateDir: path.join(dir, 'state') })
  t.teardown(() => daemon.close())
  const history = daemon.history!
  const done = await waitFor(
    async () => {
      await history.flush()
      return (await history.scheduleRuns({ limit: 50, schedule: 'every-second' })).find((run) => run.status === 'succeeded' || run.status === 'failed')
    },
    60_000,
    () => 'no scheduled run finished within a minute',
  )
  daemon.schedules.stop()
  await daemon.schedules.idle()
  t.is(done.status, 'succeeded', JSON.stringify(done))
  t.is(done.exitCode, 0)
  t.regex(done.outputTail ?? '', /ran 3, complete true/)
  const run = await history.run(done.runId!)
  t.like(run, { label: 'every-second: Node', status: 'succeeded' })
  t.is((await history.attemptsOfRun(done.runId!, 10)).length, 3, "the run's tasks are filed under it")
  const all = await history.scheduleRuns({ limit: 50 })
  // While that run went on, the next seconds' runs were skipped, not started alongside it.
  t.true(all.filter((r) => r.status === 'running' || r.status === 'succeeded').length <= 2)
  t.true(all.every((r) => r.status !== 'missed'))
})
