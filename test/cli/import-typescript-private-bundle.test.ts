import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test, { type ExecutionContext } from 'ava'
import { Task } from 'etl'
import { importTypeScript } from '../../src/cli/import-typescript.js'
import { ETL_BIN } from '../helpers/cli.js'
import { otherUser, runAs, scratchFolder, sharedTempFolder } from '../helpers/other-user.js'
import { exists } from '../helpers/sandbox.js'

// The bundle goes to the per-user folder under the temp folder, which each test points at a shared
// folder of its own: they run one at a time.
const REPO = fileURLToPath(new URL('../..', import.meta.url))
const CHILD = fileURLToPath(new URL('../fixtures/import-typescript-child.ts', import.meta.url))

async function useSharedTemp(t: ExecutionContext): Promise<string> {
  const shared = await sharedTempFolder(t)
  process.env.TMPDIR = shared
  delete process.env.XDG_RUNTIME_DIR
  return shared
}

/**
 * A project others may read but not write (0755, this user's), whose `tasks/index.ts` holds `source`
 * and finds `etl` in its node_modules, as an installed project does.
 */
async function project(t: ExecutionContext, source: string): Promise<string> {
  const root = await scratchFolder(t, 'etl-project-')
  await fs.mkdir(path.join(root, 'tasks'))
  await fs.mkdir(path.join(root, 'node_modules'))
  await fs.symlink(REPO, path.join(root, 'node_modules', 'etl'))
  await fs.writeFile(path.join(root, 'tasks', 'index.ts'), source)
  await fs.chmod(root, 0o755)
  return path.join(root, 'tasks', 'index.ts')
}

test.serial('import-typescript: while a task module is imported nothing is written beside it, and a run killed mid-import leaves nothing there', async (t) => {
  const shared = await useSharedTemp(t)
  const entry = await project(t, `import { readdirSync } from 'node:fs'\nexport const siblings: string[] = readdirSync(import.meta.dirname)\n`)
  t.deepEqual((await importTypeScript(entry)).siblings, ['index.ts'])

  const hanging = await project(t, `import { writeFileSync } from 'node:fs'\nwriteFileSync(process.env.ETL_TEST_FLAG!, '')\nsetInterval(() => {}, 1000)\nawait new Promise(() => {})\n`)
  const flag = path.join(shared, 'importing')
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=etl-source', CHILD, hanging], { env: { ...process.env, ETL_TEST_FLAG: flag }, stdio: 'ignore' })
  t.teardown(() => child.kill('SIGKILL'))
  while (!(await exists(flag))) await new Promise((resolve) => setTimeout(resolve, 20))
  child.kill('SIGKILL')
  await new Promise((resolve) => child.on('exit', resolve))
  t.deepEqual(await fs.readdir(path.dirname(hanging)), ['index.ts'], 'nothing beside the source after the kill')

  // The killed run's bundle is in this user's folder, and the next import clears it away.
  const bundles = path.join(shared, `etl-${process.getuid!()}`, 'bundles')
  const left = await fs.readdir(bundles)
  t.is(left.length, 1)
  t.true(left[0]!.startsWith(`${child.pid}-`), left[0])
  const next = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=etl-source', CHILD, entry], { encoding: 'utf8' })
  t.is(next.status, 0, next.stderr)
  t.deepEqual(await fs.readdir(bundles), [])
})

test.serial('import-typescript: a task module loads from a folder the user cannot write to, and gets the CLI\'s own etl', async (t) => {
  const shared = await useSharedTemp(t)
  const entry = await project(t, `import { Task } from 'etl'\nexport class ReadOnlyHello extends Task {}\nexport { Task }\n`)
  const other = otherUser()
  // As another user, the project (this user's, 0755) is read-only; without one, it is made so.
  if (!other) await fs.chmod(path.dirname(entry), 0o555)
  const args = [ETL_BIN, 'list', '--module', entry]
  const env = { TMPDIR: shared, XDG_RUNTIME_DIR: '', FORCE_COLOR: '0' }
  const listed = other ? runAs(other, [process.execPath, ...args], env) : spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8' })
  t.is(listed.status, 0, listed.stderr)
  t.regex(listed.stdout, /ReadOnlyHello/)

  // In this process: the module's etl is the very one this test imported, not a second copy.
  t.is((await importTypeScript(entry)).Task, Task)
})

test.serial('import-typescript: a user id with no passwd entry loads a task module', async (t) => {
  const shared = await useSharedTemp(t)
  const entry = await project(t, `import { Task } from 'etl'\nexport class NoPasswdEntry extends Task {}\n`)
  // Root, where others can read the project (which otherUser() checks), can become a uid nobody has.
  if (otherUser()) {
    let uid = 4242
    while (spawnSync('getent', ['passwd', String(uid)]).status !== 2) uid += 1 // 2: no such entry
    const listed = spawnSync(process.execPath, [ETL_BIN, 'list', '--module', entry], {
      uid,
      gid: uid,
      cwd: '/',
      env: { ...process.env, TMPDIR: shared, XDG_RUNTIME_DIR: '', HOME: '/', FORCE_COLOR: '0' },
      encoding: 'utf8',
    })
    t.is(listed.status, 0, listed.stderr)
    t.regex(listed.stdout, /NoPasswdEntry/)
  } else {
    // No other uid to become: the passwd look-up is made to fail as it would for one.
    const userInfo = os.userInfo
    ;(os as { userInfo: unknown }).userInfo = () => {
      throw Object.assign(new Error('uv_os_get_passwd returned ENOENT (no such file or directory)'), { code: 'ERR_SYSTEM_ERROR' })
    }
    t.teardown(() => void ((os as { userInfo: unknown }).userInfo = userInfo))
    t.truthy((await importTypeScript(entry)).NoPasswdEntry)
  }
})
