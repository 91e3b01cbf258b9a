import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { LocalScheduler, Task, build, createLogger, param, type Scheduler, type TaskContext } from 'etl'
import { uniqueTag, useTempLayout } from '../helpers/sandbox.js'

let root = ''
test.before(async () => {
  ;({ root } = await useTempLayout())
})

const TOKEN = 'Rq5tToken0nlyHere'
const KEY = 'Ky7wKeyFoundWhileRunning'

/** Found only while its parent runs (`ctx.require`): its secret is learnt then, before anything about it is sent. */
class Lookup extends Task.with({ tag: param.string(), key: param.secret() }) {
  override async run(ctx: TaskContext) {
    ctx.log.info(`looking up with ${this.params.key}`)
    return { key: this.params.key }
  }
}

class Sync extends Task.with({ tag: param.string(), token: param.secret() }) {
  override async run(ctx: TaskContext) {
    ctx.progress(`syncing with ${this.params.token}`)
    await ctx.require(new Lookup({ tag: this.params.tag, key: KEY }))
    ctx.log.info({ token: this.params.token }, 'synced')
    throw new Error(`sync with ${this.params.token} and ${KEY} refused`)
  }
}

/** Every call the worker makes to its scheduler, as JSON. */
function recording(scheduler: Scheduler, calls: string[]): Scheduler {
  return new Proxy(scheduler, {
    get: (target, property, receiver) => {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function') return value
      return (request: unknown) => {
        calls.push(`${String(property)} ${JSON.stringify(request)}`)
        return (value as (r: unknown) => unknown).call(target, request)
      }
    },
  })
}

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])
  return Promise.all(entries.filter((entry) => entry.isFile()).map(async (entry) => `${entry.name}: ${await fs.readFile(path.join(entry.parentPath, entry.name), 'utf8')}`))
}

test('secret masking: a worker sends, logs, writes and reports no secret of a task, even one required while running', async (t) => {
  const tag = uniqueTag()
  const calls: string[] = []
  const lines: string[] = []
  const events: string[] = []
  const summary = await build(new Sync({ tag, token: TOKEN }), {
    scheduler: recording(new LocalScheduler(), calls),
    logger: createLogger({ level: 'debug', format: 'json', write: (line) => lines.push(line) }),
    onEvent: (event) => events.push(JSON.stringify({ ...event, task: 'task' in event ? String(event.task) : undefined })),
  })
  t.false(summary.complete)
  const everything = [...calls, ...lines, ...events, JSON.stringify(summary), ...(await filesBelow(root))].join('\n')
  for (const secret of [TOKEN, KEY]) t.false(everything.includes(secret), `${secret} leaked`)
  t.regex(summary.failed[0]!.error!, /^sync with •••• and •••• refused$/)
  t.deepEqual(summary.ran.map((line) => line.result), [{ key: '••••' }])
  t.true(calls.some((call) => call.startsWith('taskProgress') && call.includes('syncing with ••••')))
})
