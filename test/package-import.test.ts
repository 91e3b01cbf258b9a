import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import test from 'ava'
import { CLI_TASKS, ETL_BIN } from './helpers/cli.js'
import { tempDir } from './helpers/sandbox.js'

// Importing `etl` (every task module does) and starting the CLI must not load the heavy drivers: they
// are loaded on first use. These tests run the built package in a plain `node` (no tsx, as a user
// runs it) with a probe that records every module loaded: every URL an ESM `import` resolves to
// (a module.register hook, which also sees the ESM → CommonJS entry into pg, mysql2 or fastify) and,
// at exit, every CommonJS file in require.cache (what those packages require internally, and croner's
// CommonJS build, which etl loads through createRequire).

const BARREL = pathToFileURL(path.resolve('dist/src/index.js')).href

/** Packages importing `etl` must not load; any one of them in the probe's log fails the test. */
const HEAVY = /\/node_modules\/(pg|pg-copy-streams|pg-pool|pg-protocol|mysql2|@electric-sql\/pglite|@aws-sdk\/[^/]+|@aws-crypto\/[^/]+|@smithy\/[^/]+|fastify|@fastify\/[^/]+|croner|nodemailer)\//

const HOOKS = `
import { appendFileSync } from 'node:fs'
let log
export function initialize(data) { log = data.log }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(log, result.url + '\\n')
  return result
}
`

const PROBE = `
import { appendFileSync } from 'node:fs'
import { createRequire, register } from 'node:module'
const log = process.env.ETL_PROBE_LOG
register(new URL('./hooks.mjs', import.meta.url), { data: { log } })
process.on('exit', () => appendFileSync(log, Object.keys(createRequire(import.meta.url).cache).join('\\n') + '\\n'))
`

interface Probed {
  code: number | null
  stdout: string
  stderr: string
  /** The heavy packages that were loaded, by name. */
  heavy: string[]
  /** Every module the probe saw, to check the probe itself saw something. */
  loaded: string[]
}

/** Runs `node --import probe <args>` in a fresh folder and reports which heavy packages it loaded. */
async function probe(args: string[]): Promise<Probed> {
  const dir = await tempDir('etl-import-')
  const log = path.join(dir, 'loaded.txt')
  await fs.writeFile(path.join(dir, 'hooks.mjs'), HOOKS)
  await fs.writeFile(path.join(dir, 'probe.mjs'), PROBE)
  await fs.writeFile(log, '')
  const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(dir, 'probe.mjs')).href, ...args], {
    cwd: dir,
    env: { ...process.env, ETL_PROBE_LOG: log, FORCE_COLOR: '0', NODE_OPTIONS: '' },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  const loaded = (await fs.readFile(log, 'utf8')).split('\n').filter(Boolean).map((entry) => entry.replaceAll('\\', '/'))
  const heavy = [...new Set(loaded.map((entry) => HEAVY.exec(entry)?.[1]).filter((name): name is string => name !== undefined))].sort()
  await fs.rm(dir, { recursive: true, force: true })
  return { code, stdout, stderr, heavy, loaded }
}

test('package: importing etl loads no database driver, AWS SDK or web server', async (t) => {
  const result = await probe(['--input-type=module', '-e', `await import(${JSON.stringify(BARREL)})`])
  t.is(result.code, 0, result.stderr)
  t.true(result.loaded.some((entry) => entry.includes('/node_modules/zod/')), 'the probe saw the modules etl does load')
  t.deepEqual(result.heavy, [])
})

test('package: a run of the etl CLI that touches no database loads no driver, AWS SDK or web server', async (t) => {
  const result = await probe([ETL_BIN, 'run', 'Hello', '--name', 'world', '--local-scheduler', '--module', CLI_TASKS])
  t.is(result.code, 0, result.stderr)
  t.regex(result.stdout, /exit code 0/)
  t.deepEqual(result.heavy, [])
})

test('package: the drivers load on first use, and the import probe sees them', async (t) => {
  // The same probe must see what it is meant to catch: pg through a dynamic import() (ESM → CommonJS)
  // on the first connection attempt, and croner through createRequire once a schedule's cron is read.
  const script = `
    const etl = await import(${JSON.stringify(BARREL)})
    const db = new etl.PostgresDatabase('nowhere', { dialect: 'postgres', host: '127.0.0.1', port: 1, database: 'none', connectTimeoutMs: 2000 })
    const failure = await db.ping().then(() => 'connected', (error) => error.code)
    await db.close()
    const parsed = etl.configSchema.safeParse({ schedules: [{ name: 'nightly', cron: '0 2 * * *', task: 'RunJob' }, { name: 'bad', cron: 'not a cron', task: 'RunJob' }] })
    console.log(JSON.stringify({ failure, issues: parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.')) }))
  `
  const result = await probe(['--input-type=module', '-e', script])
  t.is(result.code, 0, result.stderr)
  const { failure, issues } = JSON.parse(result.stdout) as { failure: string; issues: string[] }
  t.is(failure, 'ETL_ERR_DB_UNREACHABLE')
  t.deepEqual(issues, ['schedules.1.cron'])
  t.deepEqual(result.heavy, ['croner', 'pg', 'pg-copy-streams', 'pg-pool', 'pg-protocol'])
})
