import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'
import { pipelineProject } from '../helpers/pipeline-project.js'
import { PIPELINE } from './elt-helpers.js'

test('support: when the export files never come, the run fails as missing data after the configured tries, naming what is missing', async (t) => {
  const cwd = await tempDir('etl-support-wait-')
  t.teardown(() => fs.rm(cwd, { recursive: true, force: true }))
  const empty = path.join(cwd, 'no-exports')
  await fs.mkdir(empty)
  const started = Date.now()
  const result = await runCli(['run', 'WaitForSupportExports', '--export-dir', empty, '--tries', '2', '--delay', '1', '--local-scheduler', '--module', PIPELINE], cwd)
  t.is(result.code, 4, result.stdout + result.stderr)
  t.true(Date.now() - started >= 1000, 'it looked again after the delay')
  t.regex(result.stdout, /external data for WaitForSupportExports\(.*\) is missing after waiting 1000ms \(2 looks\): an analyst history file \(analyst_history_NNNN\.csv\), a case log \(case_log_NNNN\.log\), the SLA file \(sla\.xlsx or sla\.csv\) in .*no-exports/)
  t.regex(result.stdout, /exit code 4: external data is missing; run again once it has arrived/)
})

test('support: a report format that cannot be written is refused before anything runs, naming the parameter', async (t) => {
  const cwd = await tempDir('etl-support-format-')
  t.teardown(() => fs.rm(cwd, { recursive: true, force: true }))
  const delimiter = await runCli(['run', 'TeamPerformanceReport', '--delimiter', ';;', '--local-scheduler', '--module', PIPELINE], cwd)
  t.is(delimiter.code, 5, delimiter.stdout + delimiter.stderr)
  t.regex(delimiter.stdout + delimiter.stderr, /TeamPerformanceReport: delimiter ";;" must be one character other than a line break/)
  const file = await runCli(['run', 'TeamPerformanceReport', '--file-name', '../out.csv', '--local-scheduler', '--module', PIPELINE], cwd)
  t.is(file.code, 5, file.stdout + file.stderr)
  t.regex(file.stdout + file.stderr, /fileName "\.\.\/out\.csv" must be a file name, not a path/)
  t.deepEqual(await fs.readdir(cwd), [], 'no database, sample or marker was made')
})

test('support: a dimensional dictionary naming a column its staging table lacks, or without tracked columns, stops etl before anything runs', async (t) => {
  const project = await pipelineProject()
  t.teardown(() => project.remove())
  const file = path.join(project.cwd, 'metadata', 'support', 'star', 'support_dw.json')
  const original = await fs.readFile(file, 'utf8')
  const cases: Array<[string, (model: { dimensions: Array<Record<string, unknown>> }) => void, RegExp]> = [
    ['a misspelt column', (model) => (model.dimensions[0]!.type1 = ['nme']), /support_dw\.json: dimension "d_analysts", field type1: "nme" is not valid; staging\.analyst_history has no such column; it has aid, name, team, skills, valid_from, exec_seq/],
    ['no tracked columns', (model) => (model.dimensions[0]!.tracked = []), /support_dw\.json: dimension "d_analysts", field tracked: \[\] is not valid; an SCD type 2 dimension needs tracked columns/],
  ]
  for (const [what, edit, message] of cases) {
    const model = JSON.parse(original)
    edit(model)
    await fs.writeFile(file, JSON.stringify(model))
    const result = await runCli(['run', 'SupportDW', '--local-scheduler', '--module', project.module], project.cwd)
    t.is(result.code, 5, `${what}: ${result.stdout}${result.stderr}`)
    t.regex(result.stdout + result.stderr, message, what)
    t.false(await fs.stat(path.join(project.cwd, 'data')).then(() => true, () => false), `${what}: nothing was created`)
  }
})
