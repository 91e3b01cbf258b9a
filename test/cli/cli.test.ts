import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { CLI_TASKS, runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'

const M = ['--module', CLI_TASKS]

async function markers(cwd: string, family: string): Promise<string[]> {
  try {
    return await fs.readdir(path.join(cwd, 'output', family))
  } catch {
    return []
  }
}

test('cli: run builds the task, prints the summary with its result, and exits 0; the rerun has nothing to do', async (t) => {
  const cwd = await tempDir()
  const first = await runCli(['run', 'Hello', '--name', 'world', '--local-scheduler', ...M], cwd)
  t.is(first.code, 0, first.stderr)
  t.regex(first.stdout, /Ran 1 task\n {2}✓ Hello\(name=world, times=1, loud=false\) {2}\d+ms {2}greeting=hello world/)
  t.regex(first.stdout, /exit code 0: the requested task is complete/)
  t.is((await markers(cwd, 'Hello')).length, 1)
  const again = await runCli(['run', 'Hello', '--name', 'world', '--local-scheduler', ...M], cwd)
  t.is(again.code, 0)
  t.regex(again.stdout, /Nothing to do: every task was already complete/)
})

test('cli: an unknown task exits with the scheduling-error code and lists the known tasks', async (t) => {
  const result = await runCli(['run', 'Helo', '--local-scheduler', ...M], await tempDir())
  t.is(result.code, 5)
  t.regex(result.stderr, /unknown task 'Helo' \(did you mean Hello\?\); known tasks: .*First, Hello/)
})

test('cli: an unknown parameter exits with the scheduling-error code and lists the task’s parameters', async (t) => {
  const result = await runCli(['run', 'Hello', '--nmae', 'x', '--local-scheduler', ...M], await tempDir())
  t.is(result.code, 5)
  t.regex(result.stderr, /unknown option --nmae \(did you mean --name\?\) for task 'Hello'; its parameters: --name, --times, --loud/)
})

test('cli: a malformed or missing value exits with the scheduling-error code and says what is expected', async (t) => {
  const cwd = await tempDir()
  const malformed = await runCli(['run', 'Hello', '--name', 'x', '--times', 'two', '--local-scheduler', ...M], cwd)
  t.is(malformed.code, 5)
  t.regex(malformed.stderr, /invalid value "two" for --times of task 'Hello': expected an integer such as 42/)
  const missing = await runCli(['run', 'Hello', '--local-scheduler', ...M], cwd)
  t.is(missing.code, 5)
  t.regex(missing.stderr, /task 'Hello' needs parameter 'name'/)
})

test('cli: a failed task exits 3 and the summary shows the first line of its error', async (t) => {
  const result = await runCli(['run', 'Fails', '--tag', 'orders', '--local-scheduler', ...M], await tempDir())
  t.is(result.code, 3)
  t.regex(result.stdout, /Failed: 1\n {2}✗ Fails\(tag=orders\) {2}\d+ms\n {6}the source for orders refused the connection\n/)
  t.notRegex(result.stdout, /second line of detail/)
  t.regex(result.stdout, /exit code 3: a task failed/)
})

test('cli: missing external data exits 4 and what needs it is reported as not run', async (t) => {
  const result = await runCli(['run', 'NeedsUpload', '--tag', 'cases', '--local-scheduler', ...M], await tempDir())
  t.is(result.code, 4)
  t.regex(result.stdout, /external data for Upload\(tag=cases\) is missing: .*incoming\/cases\.csv/)
  t.regex(result.stdout, /Could not run because something they need failed: 1\n {2}NeedsUpload\(tag=cases\)/)
})

test('cli: a dependency cycle exits 5 and prints the cycle', async (t) => {
  const result = await runCli(['run', 'Ping', '--local-scheduler', ...M], await tempDir())
  t.is(result.code, 5)
  t.regex(result.stderr, /the task graph has a cycle.*\n {2}Ping\(n=0\)\n {2}→ Pong\(n=0\)\n {2}→ Ping\(n=0\)/)
})

test('cli: invalidate --downstream removes the task and everything that depends on it, and --dry-run removes nothing', async (t) => {
  const cwd = await tempDir()
  t.is((await runCli(['run', 'Third', '--tag', 'a', '--local-scheduler', ...M], cwd)).code, 0)
  t.is((await runCli(['run', 'Unrelated', '--tag', 'a', '--local-scheduler', ...M], cwd)).code, 0)
  const dry = await runCli(['invalidate', 'First', '--tag', 'a', '--downstream', '--dry-run', ...M], cwd)
  t.is(dry.code, 0, dry.stderr)
  t.regex(dry.stdout, /would invalidate First\(tag=a\)/)
  t.regex(dry.stdout, /would invalidate Second\(tag=a\)/)
  t.regex(dry.stdout, /would invalidate Third\(tag=a\)/)
  t.regex(dry.stdout, /3 tasks would be invalidated/)
  t.is((await markers(cwd, 'Third')).length, 1)

  const done = await runCli(['invalidate', 'First', '--tag', 'a', '--downstream', ...M], cwd)
  t.regex(done.stdout, /3 tasks invalidated/)
  for (const family of ['First', 'Second', 'Third']) t.deepEqual(await markers(cwd, family), [])
  t.is((await markers(cwd, 'Unrelated')).length, 1)
  const rerun = await runCli(['run', 'Third', '--tag', 'a', '--local-scheduler', ...M], cwd)
  t.regex(rerun.stdout, /Ran 3 tasks/)
})

test('cli: invalidate without --downstream reruns exactly that task, and a complete task above it stays complete', async (t) => {
  const cwd = await tempDir()
  await runCli(['run', 'Third', '--tag', 'b', '--local-scheduler', ...M], cwd)
  const result = await runCli(['invalidate', 'Second', '--tag', 'b', ...M], cwd)
  t.regex(result.stdout, /invalidated Second\(tag=b\).*\n1 task invalidated/)
  const above = await runCli(['run', 'Third', '--tag', 'b', '--local-scheduler', ...M], cwd)
  t.regex(above.stdout, /Nothing to do/)
  const rerun = await runCli(['run', 'Second', '--tag', 'b', '--local-scheduler', ...M], cwd)
  t.regex(rerun.stdout, /Ran 1 task\n {2}✓ Second\(tag=b\)/)
})

test('cli: deleting an output marker by hand reruns that task', async (t) => {
  const cwd = await tempDir()
  await runCli(['run', 'Third', '--tag', 'c', '--local-scheduler', ...M], cwd)
  const [marker] = await markers(cwd, 'First')
  await fs.rm(path.join(cwd, 'output', 'First', marker!))
  const rerun = await runCli(['run', 'First', '--tag', 'c', '--local-scheduler', ...M], cwd)
  t.regex(rerun.stdout, /Ran 1 task\n {2}✓ First\(tag=c\)/)
})

test('cli: deps draws the tree below a task with each task’s status', async (t) => {
  const cwd = await tempDir()
  await runCli(['run', 'First', '--tag', 'd', '--local-scheduler', ...M], cwd)
  const result = await runCli(['deps', 'Third', '--tag', 'd', ...M], cwd)
  t.is(result.code, 0, result.stderr)
  t.is(
    result.stdout,
    'Third(tag=d)  [PENDING]\n└─ Second(tag=d)  [PENDING]\n   └─ First(tag=d)  [COMPLETE]\n\n3 tasks: 2 PENDING, 1 COMPLETE\n',
  )
})

test('cli: list shows every task with its parameters, types and defaults', async (t) => {
  const result = await runCli(['list', ...M], await tempDir())
  t.is(result.code, 0)
  t.regex(result.stdout, /Hello {2}greets someone\n {2}--name <string> \(required\) {2}who to greet\n {2}--times <int> = 1\n {2}--loud <bool> = false/)
})

test('cli: run --help lists the task’s own parameters', async (t) => {
  const result = await runCli(['run', 'Hello', '--help', ...M], await tempDir())
  t.is(result.code, 0)
  t.regex(result.stdout, /Hello parameters:/)
  t.regex(result.stdout, /--name +who to greet \(string\)/)
})

test('cli: an invalid config exits 5 naming every bad key, its value and what is allowed', async (t) => {
  const cwd = await tempDir()
  await fs.writeFile(
    path.join(cwd, 'etl.config.json'),
    JSON.stringify({ workers: 'four', retry: { backoff: 0 }, tasks: { Hello: { nmae: 'x' } }, wrokers: 2 }),
  )
  const result = await runCli(['run', 'Hello', '--name', 'x', '--local-scheduler', ...M], cwd)
  t.is(result.code, 5)
  t.regex(result.stderr, /"workers": got "four"; expected a whole number of at least 1/)
  t.regex(result.stderr, /"retry\.backoff": got 0; expected a number of at least 1/)
  t.regex(result.stderr, /unknown key "wrokers" at the top level/)
})

test('cli: config parameter values apply, and a config naming an unknown parameter is refused', async (t) => {
  const cwd = await tempDir()
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify({ tasks: { Hello: { name: 'config' } } }))
  const ok = await runCli(['run', 'Hello', '--local-scheduler', ...M], cwd)
  t.is(ok.code, 0, ok.stderr)
  t.regex(ok.stdout, /Hello\(name=config/)
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify({ tasks: { Hello: { nmae: 'x' } } }))
  const bad = await runCli(['run', 'Hello', '--name', 'x', '--local-scheduler', ...M], cwd)
  t.is(bad.code, 5)
  t.regex(bad.stderr, /"tasks\.Hello\.nmae": Hello has no such parameter \(did you mean name\?\); known: name, times, loud/)
})

test('cli: --log-format json writes one JSON object per log line', async (t) => {
  const result = await runCli(['run', 'Hello', '--name', 'json', '--local-scheduler', '--log-format', 'json', ...M], await tempDir())
  t.is(result.code, 0)
  const lines = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
  t.true(lines.some((line) => line.msg === 'hello json' && line.family === 'Hello' && line.level === 'info'))
})

test('cli: a missing task module is a scheduling error that says how to point at one, and writes nothing', async (t) => {
  const cwd = await tempDir()
  const result = await runCli(['run', 'RunJob', '--local-scheduler'], cwd)
  t.is(result.code, 5)
  t.regex(result.stderr, /task module .*tasks\/index\.ts does not exist; create tasks\/index\.ts, or pass --module <file>/)
  t.deepEqual(await fs.readdir(cwd), [])
})

test('cli: a missing task module is what is reported, not the task parameters it would have declared', async (t) => {
  const result = await runCli(['run', 'Hello', '--name', 'x', '--local-scheduler', '--module', 'nowhere.ts'], await tempDir())
  t.is(result.code, 5)
  t.regex(result.stderr, /task module .*nowhere\.ts does not exist; check the --module path/)
  t.notRegex(result.stderr, /Unknown argument/)
})

test('cli: global options may come before the command', async (t) => {
  const cwd = await tempDir()
  await fs.writeFile(path.join(cwd, 'prod.json'), JSON.stringify({ workers: 2 }))
  const result = await runCli(['--config', 'prod.json', '--module', CLI_TASKS, '--log-level', 'warn', 'run', 'Hello', '--name', 'early', '--local-scheduler'], cwd)
  t.is(result.code, 0, result.stderr)
  t.regex(result.stdout, /Hello\(name=early/)
})

test('cli: a config parameter value the parameter cannot parse is refused at start, naming the file actually read', async (t) => {
  const cwd = await tempDir()
  await fs.writeFile(path.join(cwd, 'other.json'), JSON.stringify({ tasks: { Hello: { times: 'two' } } }))
  const result = await runCli(['run', 'Hello', '--name', 'x', '--local-scheduler', '--config', 'other.json', ...M], cwd)
  t.is(result.code, 5, result.stdout + result.stderr)
  t.regex(result.stderr, /other\.json is invalid:\n {2}"tasks\.Hello\.times": got "two"; expected an integer/)
  t.notRegex(result.stderr, /etl\.config\.json/)
  t.deepEqual(await fs.readdir(cwd), ['other.json'], 'nothing ran')
})

test('cli: a misspelt command, task or option is refused with what it may have meant', async (t) => {
  const cwd = await tempDir()
  const command = await runCli(['rn', 'Hello', ...M], cwd)
  t.is(command.code, 5)
  t.regex(command.stderr, /unknown command 'rn' \(did you mean run\?\); the commands are run, backfill, list, deps, check, invalidate, scheduler, demo/)
  const task = await runCli(['run', 'Helloo', '--local-scheduler', ...M], cwd)
  t.regex(task.stderr, /unknown task 'Helloo' \(did you mean Hello\?\)/)
  const flag = await runCli(['run', 'Hello', '--name', 'x', '--local-schedular', ...M], cwd)
  t.is(flag.code, 5)
  t.regex(flag.stderr, /unknown option --local-schedular \(did you mean --local-scheduler\?\) for task 'Hello'/)
  const invalidate = await runCli(['invalidate', 'Hello', '--name', 'x', '--downstrem', ...M], cwd)
  t.regex(invalidate.stderr, /unknown option --downstrem \(did you mean --downstream\?\)/)
})

test('cli: --workers that is not a whole number is refused quoting what was given', async (t) => {
  const result = await runCli(['run', 'Hello', '--name', 'x', '--local-scheduler', '--workers', 'abc', ...M], await tempDir())
  t.is(result.code, 5)
  t.regex(result.stderr, /--workers must be a whole number of at least 1, got "abc"/)
  t.notRegex(result.stderr, /NaN/)
})

test('cli: run --help of a task says what the task is, and when it takes no parameters, says so', async (t) => {
  const cwd = await tempDir()
  const hello = await runCli(['run', 'Hello', '--help', ...M], cwd)
  t.regex(hello.stdout, /^etl run Hello \[parameters\] \[options\]\n\nHello: greets someone\./)
  const bare = await runCli(['run', 'Bare', '--help', ...M], cwd)
  t.is(bare.code, 0)
  t.regex(bare.stdout, /Bare: needs nothing and takes nothing\. Bare takes no parameters\./)
})

test('cli: parameters named host, port or stateDir are given on the command line like any other; names etl run reads itself cannot be declared', async (t) => {
  const result = await runCli(['run', 'Connect', '--host', 'db', '--port', '5432', '--state-dir', 'here', '--local-scheduler', ...M], await tempDir())
  t.is(result.code, 0, result.stderr)
  t.regex(result.stdout, /Connect\(host=db, port=5432, stateDir=here\) .* to=db:5432 stateDir=here/)
  const { Task, param } = await import('etl')
  t.throws(() => Task.with({ module: param.string() }), { code: 'ETL_ERR_PARAM_DECLARATION' })
  t.throws(() => Task.with({ forgive: param.bool() }), { code: 'ETL_ERR_PARAM_DECLARATION' })
})

test('cli: a task module that throws while it loads is reported with its own error, not as unknown arguments', async (t) => {
  const cwd = await tempDir()
  const module = path.join(cwd, 'broken.ts')
  await fs.writeFile(module, "export const x = 1\nthrow new Error('the dictionary is missing a comma')\n")
  const result = await runCli(['run', 'Anything', '--date', '2024-01-01', '--local-scheduler', '--module', module], cwd)
  t.is(result.code, 5, result.stderr)
  t.regex(result.stderr, /cannot load task module .*broken\.ts: the dictionary is missing a comma/)
  t.notRegex(result.stderr, /Unknown argument|unknown option/)
})
