import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { defaultLockDir } from 'etl'
import { CLI_TASKS, runCli } from '../helpers/cli.js'
import { otherUser, runAs, scratchFolder, sharedTempFolder } from '../helpers/other-user.js'

// Each test points the temp folder somewhere of its own, so they run one at a time.
const uid = process.getuid!()

function useTemp(dir: string): void {
  process.env.TMPDIR = dir
  delete process.env.XDG_RUNTIME_DIR
}

test.serial('user-runtime-dir: a folder another user made where the private folder goes is refused, naming it, its owner and the fix', async (t) => {
  const shared = await sharedTempFolder(t)
  const mine = path.join(shared, `etl-${uid}`)
  const other = otherUser()
  if (other) {
    // The attack: another user makes this user's folder first, to plant locks and bundles in it.
    t.is(runAs(other, ['mkdir', '-m', '777', mine]).status, 0)
  } else {
    // Not root, so no second user: a folder that is not this user's alone is staged as a link instead.
    await fs.symlink(await scratchFolder(t), mine)
  }
  useTemp(shared)
  const error = t.throws(() => defaultLockDir())
  t.is((error as { code?: string }).code, 'ETL_ERR_LOCAL_FOLDER_UNSAFE')
  t.true(error.message.includes(mine), error.message)
  t.regex(error.message, other ? new RegExp(`belongs to uid ${other.uid}, not to you \\(uid ${uid}\\), so .*; have its owner or root remove it`) : /is a symbolic link/)
  t.regex(error.message, /or set TMPDIR \(or XDG_RUNTIME_DIR\) to a folder of your own/)
})

test.serial('user-runtime-dir: a link where the private folder goes is refused, never followed', async (t) => {
  const shared = await sharedTempFolder(t)
  const elsewhere = await scratchFolder(t)
  await fs.symlink(elsewhere, path.join(shared, `etl-${uid}`))
  useTemp(shared)
  const error = t.throws(() => defaultLockDir())
  t.regex(error.message, new RegExp(`is a symbolic link \\(to ${elsewhere}\\), so .*; remove the link`))
  t.deepEqual(await fs.readdir(elsewhere), [], 'nothing was made through the link')
})

test.serial('user-runtime-dir: this user\'s folder opened to others is refused with the chmod that fixes it', async (t) => {
  const shared = await sharedTempFolder(t)
  const mine = path.join(shared, `etl-${uid}`)
  await fs.mkdir(mine)
  await fs.chmod(mine, 0o755)
  useTemp(shared)
  t.throws(() => defaultLockDir(), { message: new RegExp(`is open to other users \\(mode 755\\), so .*; close it with chmod 700 ${mine}`) })
  await fs.chmod(mine, 0o700)
  t.is(defaultLockDir(), path.join(mine, 'locks'))
})

test.serial('user-runtime-dir: the folder is made 0700 per user, inside XDG_RUNTIME_DIR when that is this user\'s, else in the temp folder', async (t) => {
  const shared = await sharedTempFolder(t)
  useTemp(shared)
  const locks = defaultLockDir()
  t.is(locks, path.join(shared, `etl-${uid}`, 'locks'))
  for (const dir of [path.dirname(locks), locks]) {
    const stat = await fs.lstat(dir)
    t.is(stat.mode & 0o777, 0o700, dir)
    t.is(stat.uid, uid, dir)
  }

  const runtime = await scratchFolder(t, 'etl-xdg-')
  process.env.XDG_RUNTIME_DIR = runtime
  t.is(defaultLockDir(), path.join(runtime, 'etl', 'locks'))

  // One inherited through su or sudo, open to others or someone else's, is passed over, not written into.
  await fs.chmod(runtime, 0o755)
  t.is(defaultLockDir(), path.join(shared, `etl-${uid}`, 'locks'))
})

test.serial('user-runtime-dir: etl run refuses a private folder someone else made, exit 5, with the message alone', async (t) => {
  const shared = await sharedTempFolder(t)
  const mine = path.join(shared, `etl-${uid}`)
  const other = otherUser()
  if (other) t.is(runAs(other, ['mkdir', '-m', '777', mine]).status, 0)
  else await fs.symlink(await scratchFolder(t), mine)
  const result = await runCli(['run', 'Hello', '--name', 'x', '--local-scheduler', '--module', CLI_TASKS], await scratchFolder(t), { TMPDIR: shared, XDG_RUNTIME_DIR: '' })
  t.is(result.code, 5, result.stdout + result.stderr)
  t.true(result.stderr.startsWith(`etl: the folder ${mine} `), result.stderr)
  t.notRegex(result.stderr, /--help|at .*\.js:\d+/, 'no usage hint, no stack')
})
