import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { PgliteDatabase } from '../../src/db/pglite/pglite-database.js'
import { templateRoot } from '../../src/db/pglite/pglite-template.js'
import { otherUser, runAs, scratchFolder, sharedTempFolder } from '../helpers/other-user.js'

// The template is found through the temp folder, which the tests point at a shared one of their own:
// they run one at a time.
const embedded = (dir: string) => new PgliteDatabase('warehouse', { dialect: 'pglite', path: dir })

/** A project folder others may look into, as most are (0755); removed after the test. */
async function projectFolder(t: Parameters<typeof scratchFolder>[0]): Promise<string> {
  const dir = await scratchFolder(t, 'etl-project-')
  await fs.chmod(dir, 0o755)
  return dir
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name))
}

/**
 * What another user could do: open each file for writing and truncate it. Returns how many it could.
 * Without a second user (not root), the count is of files whose mode would let one do it.
 */
async function truncateAsOtherUser(files: string[]): Promise<number> {
  const other = otherUser()
  if (!other) {
    const stats = await Promise.all(files.map((file) => fs.stat(file)))
    return stats.filter((stat) => (stat.mode & 0o022) !== 0).length
  }
  const script = `let n = 0; for (const f of JSON.parse(process.argv[1])) { try { require('fs').truncateSync(f, 0); n++ } catch {} } console.log(n)`
  const result = runAs(other, [process.execPath, '-e', script, JSON.stringify(files)])
  if (result.status !== 0) throw new Error(result.stderr)
  return Number(result.stdout.trim())
}

test.serial('pglite-file-modes: another local user can neither rewrite an embedded database nor break the template every new one is copied from', async (t) => {
  process.env.TMPDIR = await sharedTempFolder(t)
  delete process.env.XDG_RUNTIME_DIR
  delete process.env.ETL_PGLITE_TEMPLATE_DIR
  const project = await projectFolder(t)
  const warehouse = path.join(project, 'data', 'warehouse')
  const first = embedded(warehouse)
  await first.query('create table kept (id int)')
  await first.query('insert into kept values (1)')
  await first.close()

  // The attack: truncate every file of the database and of the template it can reach.
  const files = [...(await filesUnder(warehouse)), ...(await filesUnder(templateRoot()))]
  t.true(files.length > 900, `a cluster is about a thousand files, found ${files.length}`)
  t.is(await truncateAsOtherUser(files), 0, 'no file could be rewritten by another user')

  const again = embedded(warehouse)
  t.deepEqual((await again.query('select id from kept')).rows, [{ id: 1 }])
  await again.close()
  const next = embedded(path.join(project, 'data', 'source'))
  t.false(await next.tableExists('kept'), 'a new database still starts from an intact template')
  await next.close()

  for (const dir of [warehouse, path.join(project, 'data', 'source'), templateRoot()]) t.is((await fs.stat(dir)).mode & 0o777, 0o700, dir)
})

test.serial('pglite-file-modes: a database an earlier etl left open to others is closed to them when it is opened', async (t) => {
  process.env.TMPDIR = await sharedTempFolder(t)
  delete process.env.XDG_RUNTIME_DIR
  const dir = path.join(await projectFolder(t), 'old')
  const db = embedded(dir)
  await db.query('select 1')
  await db.close()
  // As etl left it before: the cluster's folder open to everyone.
  await fs.chmod(dir, 0o777)
  const reopened = embedded(dir)
  await reopened.query('select 1')
  await reopened.close()
  t.is((await fs.stat(dir)).mode & 0o777, 0o700)
})

test.serial('pglite-file-modes: a template folder named by ETL_PGLITE_TEMPLATE_DIR that others can write to is refused', async (t) => {
  const shared = await sharedTempFolder(t)
  process.env.ETL_PGLITE_TEMPLATE_DIR = shared
  t.teardown(() => void delete process.env.ETL_PGLITE_TEMPLATE_DIR)
  const db = embedded(path.join(await projectFolder(t), 'db'))
  const error = await t.throwsAsync(db.query('select 1'))
  t.true(error.message.includes(`the folder ${shared} is open to other users (mode 777)`), error.message)
  t.regex(error.message, /close it with chmod 700 .*, or point ETL_PGLITE_TEMPLATE_DIR at a folder of your own/)
})
