import { fork } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { LocalTarget } from 'etl'
import { tempDir } from '../helpers/sandbox.js'

const FIXTURE = fileURLToPath(new URL('../fixtures/write-target.ts', import.meta.url))

test('local-target: a write killed with SIGKILL midway leaves no target behind', async (t) => {
  const dir = await tempDir()
  const file = path.join(dir, 'big.bin')
  const child = fork(FIXTURE, [file], { execArgv: ['--import', 'tsx', '--conditions=etl-source'], stdio: 'ignore' })
  await new Promise<void>((resolve, reject) => {
    child.on('message', () => resolve())
    child.on('exit', () => reject(new Error('the writer exited before it started writing')))
  })
  const temp = (await fs.readdir(dir)).find((name) => name.startsWith('.big.bin.tmp-'))
  t.truthy(temp, 'the bytes go to a hidden temp file first')
  child.kill('SIGKILL')
  await new Promise((resolve) => child.on('exit', resolve))
  t.false(await new LocalTarget(file).exists())
})

test('local-target: a completed write appears whole, and replaces the old file in one step', async (t) => {
  const dir = await tempDir()
  const target = new LocalTarget(path.join(dir, 'nested', 'report.csv'))
  t.false(await target.exists())
  await target.write('a,b\n1,2\n')
  t.is(await target.read(), 'a,b\n1,2\n')
  await target.write('a,b\n3,4\n')
  t.is(await target.read(), 'a,b\n3,4\n')
  t.deepEqual(await fs.readdir(path.join(dir, 'nested')), ['report.csv'])
  await target.remove()
  t.false(await target.exists())
})
