import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { build, jobTasks, loadJob } from 'etl'
import { exists, tempDir, uniqueTag, useTempLayout } from '../helpers/sandbox.js'

test.before(async () => {
  await useTempLayout()
})

// Through build(): the worker calls a task's onSuccess / onFailure once it has ended. Until the
// worker calls those hooks, this test fails on its first follow-up assertion, and only there.
test('job-hooks: a declarative job whose step fails runs its onError follow-up through build, and the run still fails', async (t) => {
  const dir = await tempDir()
  const file = path.join(dir, 'job.yaml')
  await fs.writeFile(
    file,
    `name: Hooked${uniqueTag()}
steps:
  - name: conditions
    command: [sh, -c, 'echo "no exports yet" >&2; exit 1']
    onError:
      command: [sh, -c, 'printf "%s" "$1" > "$0/on-error.txt"', '${dir}', '\${error.message}']
  - name: staging
    command: [echo, never]
onSuccess:
  command: [sh, -c, 'touch "$0/on-success.txt"', '${dir}']
`,
  )
  const { root } = jobTasks(loadJob(file))
  const summary = await build(new root({}))
  t.is(summary.outcome, 'task-failed')
  t.false(await exists(path.join(dir, 'on-success.txt')), 'the job did not succeed, so its onSuccess did not run')
  t.true(await exists(path.join(dir, 'on-error.txt')), 'the onError follow-up ran (needs the worker to call onFailure)')
  t.regex(await fs.readFile(path.join(dir, 'on-error.txt'), 'utf8'), /Hooked\w+\.conditions\(\): `sh -c .*` exited with code 1/)
})
