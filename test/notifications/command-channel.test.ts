import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { Notifier } from 'etl'
import { failureEvent, recordingLogger, runFinishedEvent } from '../helpers/run-events.js'
import { tempDir } from '../helpers/sandbox.js'

/** A program that writes what it got (stdin and its ETL_* variables) to the file named by its argument. */
const RECORDER = `
let stdin = ''
process.stdin.setEncoding('utf8').on('data', (chunk) => (stdin += chunk)).on('end', () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('ETL_')))
  require('node:fs').writeFileSync(process.argv[1], JSON.stringify({ stdin, env, args: process.argv.slice(2) }))
})
`

async function recorder(): Promise<{ argv: (...args: string[]) => string[]; read: () => Promise<{ stdin: string; env: Record<string, string>; args: string[] }>; file: string }> {
  const dir = await tempDir('etl-notify-')
  const file = path.join(dir, 'got.json')
  return {
    file,
    argv: (...args) => [process.execPath, '-e', RECORDER, file, ...args],
    read: async () => JSON.parse(await fs.readFile(file, 'utf8')) as { stdin: string; env: Record<string, string>; args: string[] },
  }
}

test('command: the program gets the event as JSON on stdin and in ETL_* environment variables, with no shell', async (t) => {
  const got = await recorder()
  const { logger, warnings } = recordingLogger()
  const notifier = new Notifier([{ on: ['failure'], command: { argv: got.argv('--to', 'ops; rm -rf /', '$HOME') } }], { logger })
  notifier.notify(failureEvent())
  await notifier.flush()
  t.deepEqual(warnings(), [])
  const { stdin, env, args } = await got.read()
  t.deepEqual(args, ['--to', 'ops; rm -rf /', '$HOME'])
  t.like(JSON.parse(stdin), { event: 'failure', run: 'RunJob()', taskId: 'LandTable_orders_0123456789', error: 'connection refused' })
  t.like(env, {
    ETL_EVENT: 'failure',
    ETL_RUN: 'RunJob()',
    ETL_TASK_ID: 'LandTable_orders_0123456789',
    ETL_FAMILY: 'LandTable',
    ETL_PARAMS: '{"table":"orders"}',
    ETL_ATTEMPT: '1',
    ETL_ERROR: 'connection refused',
    ETL_TEXT: ':x: RunJob(): LandTable(table=orders) failed: connection refused',
  })
  t.deepEqual(JSON.parse(env.ETL_NOTIFICATION!), JSON.parse(stdin))
})

test('command: the end of a run sets ETL_EXIT_CODE and ETL_SUMMARY, and no task variables', async (t) => {
  const got = await recorder()
  const notifier = new Notifier([{ on: ['run_finished'], command: { argv: got.argv() } }], { logger: recordingLogger().logger })
  notifier.notify(runFinishedEvent())
  await notifier.flush()
  const { env } = await got.read()
  t.is(env.ETL_EXIT_CODE, '1')
  t.is(env.ETL_SUMMARY, 'Scheduled 3 tasks of which:\n* 1 failed')
  t.is(env.ETL_TASK_ID, undefined)
  t.is(env.ETL_ERROR, undefined)
})

test('command: a program that exits non-zero is a warning with its exit code and the end of its stderr', async (t) => {
  const { logger, warnings } = recordingLogger()
  const argv = [process.execPath, '-e', 'process.stderr.write("starting\\npager service said no\\n"); process.exit(3)']
  const notifier = new Notifier([{ name: 'pager', on: ['failure'], command: { argv } }], { logger })
  notifier.notify(failureEvent())
  await t.notThrowsAsync(notifier.flush())
  t.deepEqual(warnings(), [`notification to "pager" (command ${process.execPath}) failed: exited with code 3: starting | pager service said no; the run goes on`])
})

test('command: a program that runs past its timeout is killed and logged', async (t) => {
  const { logger, warnings } = recordingLogger()
  const notifier = new Notifier([{ on: ['failure'], command: { argv: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'], timeoutMs: 300 } }], { logger })
  const before = Date.now()
  notifier.notify(failureEvent())
  await notifier.flush()
  t.true(Date.now() - before < 5000)
  t.regex(warnings()[0] ?? '', /failed: killed after 300 ms \(timeoutMs\); the run goes on$/)
})

test('command: a program that is not there is a warning saying so', async (t) => {
  const { logger, warnings } = recordingLogger()
  const notifier = new Notifier([{ on: ['failure'], command: { argv: ['./no-such-notify.sh'] } }], { logger })
  notifier.notify(failureEvent())
  await notifier.flush()
  t.deepEqual(warnings(), ['notification to notifications[0] (command ./no-such-notify.sh) failed: cannot start ./no-such-notify.sh: not found; check argv[0] and PATH; the run goes on'])
})
