import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { loadJob } from 'etl'
import { tempDir } from '../helpers/sandbox.js'

const README = fileURLToPath(new URL('../../README.md', import.meta.url))
const EXAMPLES = fileURLToPath(new URL('../../jobs/examples/', import.meta.url))

/** The README's job section: its YAML sample and the error it quotes. */
async function readmeJob(): Promise<{ yaml: string; error: string }> {
  const readme = await fs.readFile(README, 'utf8')
  const section = readme.slice(readme.indexOf('### Declarative jobs'), readme.indexOf('## Config file reference'))
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!
  const error = /```\netl: (.*)\n```/.exec(section)![1]!
  return { yaml, error }
}

/** The example's folder, copied, with the README's job in it and the follow-up job it names. */
async function beside(yaml: string): Promise<string> {
  const dir = await tempDir()
  await fs.cp(EXAMPLES, dir, { recursive: true })
  await fs.writeFile(path.join(dir, 'support-report.yaml'), 'name: SupportReport\nsteps:\n  - name: report\n    command: [echo, report]\n')
  await fs.writeFile(path.join(dir, 'readme.yaml'), yaml)
  return path.join(dir, 'readme.yaml')
}

test('readme: the job sample is a valid job beside the example\'s files', async (t) => {
  const { yaml } = await readmeJob()
  const job = loadJob(await beside(yaml))
  t.is(job.name, 'SupportLoad')
  t.deepEqual(job.steps.find((step) => step.name === 'build-dw')!.requires, ['load-cases', 'record-load'])
})

test('readme: the error it quotes is the one a misspelt requires gets', async (t) => {
  const { yaml, error } = await readmeJob()
  const misspelt = yaml.replace('      - name: record-load\n', '      - name: record-load\n        requires: [create-stagin]\n')
  const file = await beside(misspelt)
  const thrown = t.throws(() => loadJob(file))
  t.is(thrown!.message.replace(/^.*readme\.yaml/, 'jobs/support-load.yaml'), error)
})
