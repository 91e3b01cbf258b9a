import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'

/** A project folder with job files under jobs/ and no task module: a job needs none. */
async function project(files: Record<string, string>): Promise<string> {
  const cwd = await tempDir('etl-cli-job-')
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(cwd, name)), { recursive: true })
    await fs.writeFile(path.join(cwd, name), content)
  }
  return cwd
}

const GREET = `name: Greet
params:
  who: world
steps:
  - name: hello
    command: [sh, -c, 'echo "hello $0 from $1" >> out.txt', "\${who}", "\${place.name}"]
    cwd: ..
  - name: bye
    command: [sh, -c, 'echo "bye $0" >> out.txt', "\${who}"]
    cwd: ..
`

test('cli: etl run <job name> runs the job under jobs/ with its parameters and the --vars file, with no task module', async (t) => {
  const cwd = await project({ 'jobs/greet.yaml': GREET, 'vars.yaml': 'place:\n  name: the vars\n' })
  const result = await runCli(['run', 'Greet', '--who', 'there', '--vars', 'vars.yaml', '--local-scheduler'], cwd)
  t.is(result.code, 0, result.stderr)
  t.regex(result.stdout, /Ran 3 tasks\n {2}✓ Greet\.hello\(who=there\) .*\n {2}✓ Greet\.bye\(who=there\) .*\n {2}✓ Greet\(who=there\)/)
  t.is(await fs.readFile(path.join(cwd, 'out.txt'), 'utf8'), 'hello there from the vars\nbye there\n')
  const step = await runCli(['run', 'Greet.bye', '--who', 'there', '--vars', 'vars.yaml', '--local-scheduler'], cwd)
  t.is(step.code, 0, step.stderr)
  t.regex(step.stdout, /Nothing to do: every task was already complete/)
})

test('cli: etl run --job runs a job file by its path', async (t) => {
  const cwd = await project({ 'elsewhere/greet.json': JSON.stringify({ name: 'Greet', steps: [{ name: 'hello', command: ['sh', '-c', 'echo hi > "$0/out.txt"', '${dir}'] }], params: { dir: '.' } }) })
  const result = await runCli(['run', '--job', 'elsewhere/greet.json', '--dir', cwd, '--local-scheduler'], cwd)
  t.is(result.code, 0, result.stderr)
  t.is(await fs.readFile(path.join(cwd, 'out.txt'), 'utf8'), 'hi\n')
})

test('cli: a malformed job file, a missing vars file or no task at all exits with the scheduling-error code and says what to fix', async (t) => {
  const cwd = await project({ 'jobs/bad.yaml': 'name: Bad\nsteps:\n  - name: extract\n    command: [echo]\n    requires: [load]\n', 'jobs/greet.yaml': GREET })
  const bad = await runCli(['run', '--job', 'jobs/bad.yaml', '--local-scheduler'], cwd)
  t.is(bad.code, 5)
  t.regex(bad.stderr, /etl: jobs\/bad\.yaml: step "extract", field requires: "load" is not valid; there is no such step; the steps are extract\n/)
  const vars = await runCli(['run', 'Greet', '--vars', 'missing.yaml', '--local-scheduler'], cwd)
  t.is(vars.code, 5)
  t.regex(vars.stderr, /cannot read the vars file missing\.yaml: ENOENT/)
  const unresolved = await runCli(['run', 'Greet', '--local-scheduler'], cwd)
  t.is(unresolved.code, 5)
  t.regex(unresolved.stderr, /jobs\/greet\.yaml: step "hello", field command: placeholder \$\{place\.name\} has no value/)
  const nothing = await runCli(['run', '--local-scheduler'], cwd)
  t.is(nothing.code, 5)
  t.regex(nothing.stderr, /name the task to run \(etl run <Task>\), or a job file \(etl run --job jobs\/<file>\.yaml\)/)
})
