import { spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { StateStore } from 'etl'
import { tempDir } from '../helpers/daemon-helpers.js'

test('state-store: the snapshot temp files a killed daemon left are removed when the state is next opened', async (t) => {
  const dir = await tempDir('store')
  await fs.mkdir(dir, { recursive: true })
  const dead = spawnSync('true').pid!
  const leftovers = [`state.json.tmp-${dead}`, `.state.json.tmp-${dead}-0badc0de-0`]
  for (const name of leftovers) await fs.writeFile(path.join(dir, name), '{"version":1,"seq":0,"parts":{}')
  await fs.writeFile(path.join(dir, 'notes.txt'), 'mine')

  const store = new StateStore({ dir })
  store.open()
  const listed = await fs.readdir(dir)
  store.close()
  for (const name of leftovers) t.false(listed.includes(name), name)
  t.true(listed.includes('notes.txt'), 'other files are left alone')
  t.deepEqual((await fs.readdir(dir)).sort(), ['journal.ndjson', 'notes.txt', 'state.json'], 'its own snapshot left no temp file either')
})
