import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { runCli } from '../helpers/cli.js'
import { pipelineProject } from '../helpers/pipeline-project.js'
import { tempDir } from '../helpers/sandbox.js'

const TOUR = fileURLToPath(new URL('../fixtures/tasks/readme-tour.ts', import.meta.url))
const README = fileURLToPath(new URL('../../README.md', import.meta.url))

test('readme: the tour’s code is the code this test runs', async (t) => {
  const readme = await fs.readFile(README, 'utf8')
  const tour = await fs.readFile(TOUR, 'utf8')
  t.true(readme.includes(tour.split('\n').slice(1).join('\n')))
})

test('readme: the tour runs a week of totals with 4 workers, then has nothing to do', async (t) => {
  const cwd = await tempDir()
  const first = await runCli(['run', 'WeeklyTotals', '--week', '2024-W05', '--local-scheduler', '--workers', '4', '--module', TOUR], cwd)
  t.is(first.code, 0, first.stderr)
  t.regex(first.stdout, /Ran 15 tasks/)
  t.regex(first.stdout, /DailyTotal\(date=2024-01-29, currency=EUR\) {2}\d+ms {2}orders=2 total=29\.5/)
  t.is((await fs.readdir(path.join(cwd, 'output', 'DailyTotal'))).length, 7)
  const again = await runCli(['run', 'WeeklyTotals', '--week', '2024-W05', '--local-scheduler', '--module', TOUR], cwd)
  t.regex(again.stdout, /Nothing to do/)
})

test('readme: following the tour keeps the reference pipeline: its file goes beside it and tasks/index.ts re-exports it', async (t) => {
  const readme = await fs.readFile(README, 'utf8')
  const file = /```ts\n\/\/ (tasks\/[\w-]+\.ts)\n/.exec(readme)?.[1]
  t.truthy(file)
  t.not(file, 'tasks/index.ts')
  const exportLine = /add `(export \* from '\.\/[\w-]+\.js')` to `tasks\/index\.ts`/.exec(readme)?.[1]
  t.truthy(exportLine)
  const project = await pipelineProject()
  t.teardown(() => project.remove())
  const tour = (await fs.readFile(TOUR, 'utf8')).split('\n').slice(1).join('\n')
  await fs.writeFile(path.join(project.cwd, file!), tour)
  await fs.appendFile(project.module, `${exportLine}\n`)
  const list = await runCli(['list'], project.cwd)
  t.is(list.code, 0, list.stderr)
  t.regex(list.stdout, /^RunJob  /m)
  t.regex(list.stdout, /^WeeklyTotals$/m)
})
