import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { CommandTask, Task, build, createLogger, param, type StepVariables } from 'etl'
import { exists, tempDir, uniqueTag, useTempLayout } from '../helpers/sandbox.js'

test.before(async () => {
  await useTempLayout()
})

/** True once the process is gone: no such pid, or a zombie nobody has reaped yet. */
async function gone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch {
    return true
  }
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  return stat === '' || stat.split(') ')[1]?.startsWith('Z') === true
}

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

class SleepsWithChild extends CommandTask.with({ tag: param.string(), pidFile: param.string() }) {
  override shell = true
  override timeoutMs = 700
  override command() {
    // The shell starts a grandchild of etl's and waits on it: the timeout must reach both.
    return 'sleep 30 & echo $! > ${pidFile}; wait'
  }
}

test('command-task: a command that times out is killed with the processes it started', async (t) => {
  const dir = await tempDir()
  const pidFile = path.join(dir, 'grandchild.pid')
  const summary = await build(new SleepsWithChild({ tag: uniqueTag(), pidFile }))
  t.is(summary.outcome, 'task-failed')
  t.regex(summary.failed[0]!.error!, /timed out after 700ms/)
  const grandchild = Number((await fs.readFile(pidFile, 'utf8')).trim())
  t.true(grandchild > 0)
  t.true(await waitUntil(() => gone(grandchild), 3000), `the grandchild ${grandchild} still runs`)
})

class Noisy extends CommandTask.with({ tag: param.string() }) {
  override command() {
    return ['sh', '-c', 'for i in $(seq 1 30); do echo "line $i"; done; echo "disk full" >&2; exit 3']
  }
}

test('command-task: a failing command fails the task with its exit code and the tail of its output, and every line reached the log', async (t) => {
  const lines: string[] = []
  const logger = createLogger({ level: 'info', format: 'json', write: (line) => lines.push(line) })
  const summary = await build(new Noisy({ tag: uniqueTag() }), { logger })
  t.is(summary.outcome, 'task-failed')
  t.regex(summary.failed[0]!.error!, /`sh -c "for i in .*"` exited with code 3 \(success is 0\); its last 20 lines:$/)
  const entries = lines.map((line) => JSON.parse(line) as { msg: string; err?: { message: string }; stream?: string })
  const message = entries.find((entry) => entry.err)!.err!.message
  t.regex(message, /line 12\n {2}line 13/)
  t.regex(message, /line 30\n {2}disk full$/)
  t.notRegex(message, /line 11\n/)
  const streamed = entries.filter((entry) => entry.stream)
  t.is(streamed.length, 31)
  t.like(streamed.at(-1), { stream: 'stderr', msg: 'disk full' })
  t.like(streamed[0], { stream: 'stdout', msg: 'line 1' })
})

class Produces extends CommandTask.with({ tag: param.string() }) {
  override command() {
    return ['sh', '-c', 'echo "files=3" >> "$ETL_OUTPUT"; echo "folder=in box" >> "$ETL_OUTPUT"']
  }
}

class Consumes extends CommandTask.with({ tag: param.string(), out: param.string() }) {
  override requires() {
    return new Produces({ tag: this.params.tag })
  }
  override env() {
    return { GREETING: 'hello ${who}' }
  }
  override variables(): StepVariables {
    return { values: { who: 'support', db: { host: 'db.internal' } }, files: ['test.yaml'] }
  }
  override command() {
    return ['sh', '-c', 'printf "%s|%s|%s|%s|%s|%s" "$1" "$2" "$3" "$4" "$GREETING" "$5" > "$0"', '${out}', '${tag}', '${db.host}', '${Produces.files}', '${Produces.folder}', '$${literal}']
  }
}

test('command-task: placeholders come from the parameters, then the vars, then what a required task returned, each as one argument', async (t) => {
  const dir = await tempDir()
  const out = path.join(dir, 'out.txt')
  const tag = uniqueTag()
  const summary = await build(new Consumes({ tag, out }))
  t.is(summary.outcome, 'ok', JSON.stringify(summary.failed))
  t.is(await fs.readFile(out, 'utf8'), `${tag}|db.internal|3|in box|hello support|\${literal}`)
  t.deepEqual(summary.ran.find((line) => line.family === 'Produces')!.result, { files: '3', folder: 'in box', exitCode: 0 })
})

let upstreamRuns = 0
class Upstream extends Task.with({ tag: param.string() }) {
  override run() {
    upstreamRuns += 1
  }
}

class Unresolved extends CommandTask.with({ tag: param.string() }) {
  override requires() {
    return new Upstream({ tag: this.params.tag })
  }
  override command() {
    return ['echo', '${exportDir}']
  }
}

test('command-task: a placeholder with no value is refused before anything runs, naming the task, the placeholder and where values come from', async (t) => {
  const summary = await build(new Unresolved({ tag: uniqueTag() }))
  t.is(summary.outcome, 'task-failed')
  t.is(upstreamRuns, 0, 'the task it requires did not run')
  const error = summary.failed[0]!.error!
  t.regex(error, /Unresolved\(tag=\w+\): placeholder \$\{exportDir\} has no value: it is not a parameter \(parameters: tag\), not in the vars \(no vars file given: pass --vars file\.yaml/)
  t.regex(error, /not a result of a task upstream \(write \$\{<step>\.<field>\}; upstream: Upstream\)/)
  t.regex(error, /write \$\$\{exportDir\} for a literal/)
})

class ShellQuoted extends CommandTask.with({ tag: param.string(), value: param.string(), dir: param.string() }) {
  override shell = true
  override cwd = '${dir}'
  override command() {
    return 'echo ${value} > out.txt'
  }
}

test('command-task: in a shell command line a value stays one word and never runs as a command', async (t) => {
  const dir = await tempDir()
  const value = `it's $(touch pwned); rm -rf out.txt`
  const summary = await build(new ShellQuoted({ tag: uniqueTag(), value, dir }))
  t.is(summary.outcome, 'ok', JSON.stringify(summary.failed))
  t.is(await fs.readFile(path.join(dir, 'out.txt'), 'utf8'), `${value}\n`)
  t.false(await exists(path.join(dir, 'pwned')))
})

class ExitsOne extends CommandTask.with({ tag: param.string() }) {
  override okExitCodes = [0, 1]
  override command() {
    return ['sh', '-c', 'exit 1']
  }
}

class StringWithoutShell extends CommandTask.with({ tag: param.string() }) {
  override command() {
    return 'ls -l'
  }
}

class MissingProgram extends CommandTask.with({ tag: param.string() }) {
  override command() {
    return ['etl-no-such-program-here']
  }
}

test('command-task: the OK exit codes are configurable, a command string needs shell, and a missing program says so', async (t) => {
  const ok = await build(new ExitsOne({ tag: uniqueTag() }))
  t.is(ok.outcome, 'ok')
  t.deepEqual(ok.ran[0]!.result, { exitCode: 1 })
  const string = await build(new StringWithoutShell({ tag: uniqueTag() }))
  t.regex(string.failed[0]!.error!, /the command "ls -l" is one string, which only a shell would split; give the program and its arguments as a list, or set shell to true/)
  const missing = await build(new MissingProgram({ tag: uniqueTag() }))
  t.regex(missing.failed[0]!.error!, /cannot start `etl-no-such-program-here`: ENOENT; check the program's name/)
})

class Cancellable extends CommandTask.with({ tag: param.string(), pidFile: param.string() }) {
  override command() {
    return ['sh', '-c', 'sleep 30 & echo $! > "$0"; wait', '${pidFile}']
  }
}

test('command-task: cancelling the run stops the command and what it started', async (t) => {
  const dir = await tempDir()
  const pidFile = path.join(dir, 'pid')
  const abort = new AbortController()
  const run = build(new Cancellable({ tag: uniqueTag(), pidFile }), { signal: abort.signal })
  t.true(await waitUntil(() => exists(pidFile).then(async (found) => found && (await fs.readFile(pidFile, 'utf8')).trim() !== ''), 5000))
  abort.abort(new Error('stop'))
  const summary = await run
  t.not(summary.outcome, 'ok')
  const grandchild = Number((await fs.readFile(pidFile, 'utf8')).trim())
  t.true(await waitUntil(() => gone(grandchild), 3000))
})

class UsesPassword extends CommandTask.with({ tag: param.string() }) {
  override variables(): StepVariables {
    return { values: { db: { user: 'etl', password: 'hunter2-secret' } }, files: ['vars.yaml'] }
  }
  override command() {
    return ['sh', '-c', 'echo "connecting as $0 with $1"; echo "auth failed for $1" >&2; exit 1', '${db.user}', '${db.password}']
  }
}

test('command-task: a vars value named like a secret is masked in the log lines and the error', async (t) => {
  const lines: string[] = []
  const logger = createLogger({ level: 'info', format: 'json', write: (line) => lines.push(line) })
  const summary = await build(new UsesPassword({ tag: uniqueTag() }), { logger })
  t.is(summary.outcome, 'task-failed')
  const text = lines.join('\n')
  t.regex(text, /connecting as etl with ••••/)
  t.regex(text, /auth failed for ••••/)
  t.notRegex(text + JSON.stringify(summary), /hunter2-secret/)
})
