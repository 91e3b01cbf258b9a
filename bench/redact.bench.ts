// `npm run bench:redact`: how long secret masking takes on a megabyte of ordinary log text and of
// text shaped to make regular expressions backtrack, as a ratio to a plain String.prototype.replace of
// a fixed string over the same bytes in the same run; the masking of before, on the shapes that broke
// it, at sizes it could still finish; and what the daemon's UI costs with a 1 MB log tail and with
// 1,000 tasks whose errors are 60,000 characters long (under the daemon's default maxErrorChars). Writes bench/results/redact.json.
import fs from 'node:fs/promises'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { buildServer, CentralScheduler, redactText, type TaskRecord } from 'etl'

const MB = 1024 * 1024
const RUNS = 9

/** The patterns masking used before, kept here to measure them against the same text. */
const OLD = {
  url: /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi,
  keyValue: /\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,'"]+)/gi,
  json: /("(?:[^"\\]*(?:pass|secret|token|credential|private|key)[^"\\]*)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi,
}
function oldRedactText(text: string): string {
  return text.replace(OLD.url, '$1:***@').replace(OLD.keyValue, '$1$2***').replace(OLD.json, '$1"***"')
}

/** `unit` repeated to about `bytes` characters. */
function fill(unit: string, bytes: number): string {
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes)
}

const LOG_LINE = (i: number) =>
  `2024-01-31T02:00:${String(i % 60).padStart(2, '0')}Z info extract orders: read ${i * 37} rows from mysql://etl:hunter2@db.internal:3306/shop in ${i % 900} ms; ` +
  `{"table":"orders","password":"s3cret","rows":${i}} token=abc${i} Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig${i}\n`

/** What each input is; every one is a megabyte. */
const INPUTS: Record<string, string> = {
  'log tail (ordinary lines, secrets in each)': fill(Array.from({ length: 200 }, (_, i) => LOG_LINE(i)).join(''), MB),
  'a scheme with no @ (URL punctuation)': fill(`postgres://${'a'.repeat(60)} `, MB),
  'quotes never closed': fill(`"${'x'.repeat(200)}`, MB),
  'one long word': 'a'.repeat(MB),
  'secret names back to back': fill('"password": "', MB),
  'separators after secret names': fill('token= ', MB),
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function time(run: () => unknown): number {
  run() // warm-up
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now()
    run()
    times.push(performance.now() - started)
  }
  return median(times)
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = { machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`, runs: RUNS }

  console.log('masking a megabyte (median of runs; baseline: text.replace of a fixed string over the same bytes)')
  const masking = []
  for (const [name, text] of Object.entries(INPUTS)) {
    const ms = time(() => redactText(text))
    const baselineMs = time(() => text.replace('\u0001never here\u0001', ''))
    masking.push({ input: name, bytes: text.length, ms: round(ms), baselineMs: round(baselineMs), ratio: round(ms / baselineMs) })
    console.log(`  ${name.padEnd(44)} ${ms.toFixed(2).padStart(7)} ms   baseline ${baselineMs.toFixed(3)} ms   ×${(ms / baselineMs).toFixed(0)}`)
  }
  results.masking = masking

  console.log('the masking of before, on the shapes that broke it (20 kB and 40 kB: it is quadratic, and a megabyte of one word would take it tens of minutes)')
  const before = []
  for (const name of ['a scheme with no @ (URL punctuation)', 'quotes never closed', 'one long word']) {
    for (const bytes of [20_000, 40_000]) {
      const text = INPUTS[name]!.slice(0, bytes)
      const started = performance.now()
      oldRedactText(text)
      const ms = performance.now() - started
      const now = time(() => redactText(text))
      before.push({ input: name, bytes, beforeMs: round(ms), nowMs: round(now) })
      console.log(`  ${name.padEnd(44)} ${String(bytes).padStart(6)} chars: before ${ms.toFixed(0).padStart(6)} ms, now ${now.toFixed(3)} ms`)
    }
  }
  results.before = before
  results.daemon = await measureDaemon()
  await fs.mkdir('bench/results', { recursive: true })
  await fs.writeFile('bench/results/redact.json', `${JSON.stringify(results, null, 2)}\n`)
  console.log('\nwritten to bench/results/redact.json')
}

/** The UI's pages once workers have sent a megabyte of log lines and long errors, and what taking them in cost. */
async function measureDaemon() {
  const scheduler = new CentralScheduler({ logTailLines: 256 })
  const app = await buildServer({ scheduler })
  const post = (method: string, body: unknown) => app.inject({ method: 'POST', url: `/api/${method}`, payload: body as object })
  const record = (id: string): TaskRecord => ({ id, family: id.split('_')[0]!, params: { day: '2024-01-31', url: 'postgres://etl:hunter2@db/dw' }, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {} })
  await post('addTasks', { workerId: 'w1', tasks: [record('Tail_1'), ...Array.from({ length: 1000 }, (_, i) => record(`Err_${i}`))] })
  await post('getWork', { workerId: 'w1' })
  // 256 lines of 4,000 characters: a megabyte, with URL punctuation that never reaches an @.
  const lines = Array.from({ length: 256 }, (_, i) => ({ at: i, level: 'info', message: fill(`row ${i} postgres://${'a'.repeat(60)} token=x `, 4000) }))
  let started = performance.now()
  await post('taskLog', { workerId: 'w1', taskId: 'Tail_1', lines })
  const ingestMs = performance.now() - started
  const error = { message: fill(`failed: postgres://${'b'.repeat(60)} `, 60_000) }
  started = performance.now()
  for (let i = 0; i < 1000; i++) {
    const work = (await post('getWork', { workerId: 'w1' })).json() as { result: { taskId: string } }
    await post('taskFinished', { workerId: 'w1', taskId: work.result.taskId, status: 'FAILED', startedAt: 1, endedAt: 2, attempts: 1, error })
  }
  const errorsMs = performance.now() - started
  const page = await app.inject({ method: 'GET', url: '/api/ui/tasks/Tail_1' })
  const failed = [...scheduler.allTasks()].filter((task) => task.status === 'FAILED').length
  if (failed !== 1000) throw new Error(`only ${failed} of the 1,000 tasks failed as meant: the benchmark is broken`)
  const table = await app.inject({ method: 'GET', url: '/api/ui/tasks?limit=1000&status=FAILED' })
  const pageMs = await timeAsync(() => app.inject({ method: 'GET', url: '/api/ui/tasks/Tail_1' }))
  const tableMs = await timeAsync(() => app.inject({ method: 'GET', url: '/api/ui/tasks?limit=1000&status=FAILED' }))
  const pageText = page.body
  const baselineMs = time(() => pageText.replace('\u0001never here\u0001', ''))
  await app.close()
  const daemon = {
    logTail: { bytes: lines.reduce((sum, line) => sum + line.message.length, 0), ingestMs: round(ingestMs), pageBytes: page.body.length, pageMs: round(pageMs), baselineMs: round(baselineMs), ratio: round(pageMs / baselineMs) },
    longErrors: { tasks: 1000, errorChars: error.message.length, ingestMsPerTask: round(errorsMs / 1000), tableBytes: table.body.length, tableMs: round(tableMs) },
  }
  console.log('the daemon')
  console.log(`  a 1 MB log tail: taken in (masked once) in ${daemon.logTail.ingestMs} ms; its task page (${(daemon.logTail.pageBytes / MB).toFixed(2)} MB) served in ${daemon.logTail.pageMs} ms, ×${daemon.logTail.ratio.toFixed(0)} the baseline over the page's bytes`)
  console.log(`  1,000 tasks with 60,000-character errors: ${daemon.longErrors.ingestMsPerTask} ms each to take in; the task table of all of them served in ${daemon.longErrors.tableMs} ms`)
  return daemon
}

async function timeAsync(run: () => Promise<unknown>): Promise<number> {
  await run()
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now()
    await run()
    times.push(performance.now() - started)
  }
  return median(times)
}

await main()
