import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The temp folder as this test process started: tests that point TMPDIR elsewhere still make folders here. */
const SYSTEM_TEMP = os.tmpdir()

/** A second local user, for tests whose first half is what another user of the machine could do. */
export interface OtherUser {
  name: string
  uid: number
  gid: number
}

const NAME = 'etltest2'

/** The project the tests run in: the other user runs its code (the built CLI, tsx). */
const PROJECT = fileURLToPath(new URL('../..', import.meta.url))

/**
 * The second local user, created when missing (test files run at once may both try: whoever loses
 * the race finds it made). Undefined when this process is not root and cannot make one, or when the
 * project sits where other users cannot read it (a checkout under /root): those tests then stage the
 * same scenario as this user.
 */
export function otherUser(): OtherUser | undefined {
  // ETL_TEST_AS_ONE_USER=1 runs the one-user scenarios as root too, to check them.
  if (process.getuid?.() !== 0 || process.env.ETL_TEST_AS_ONE_USER === '1') return undefined
  for (let attempt = 0; attempt < 50; attempt++) {
    const found = lookUp(NAME)
    if (found) return canReadProject(found) ? found : undefined
    // useradd takes a lock on /etc/passwd: a concurrent add fails, and the next look-up finds it.
    spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', NAME])
    if (!lookUp(NAME)) spawnSync('sleep', ['0.1'])
  }
  throw new Error(`could not create the test user ${NAME}`)
}

function lookUp(name: string): OtherUser | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' })
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' })
  if (uid.status !== 0 || gid.status !== 0) return undefined
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
}

function canReadProject(user: OtherUser): boolean {
  return spawnSync('test', ['-r', path.join(PROJECT, 'package.json')], { uid: user.uid, gid: user.gid, cwd: '/' }).status === 0
}

/** Runs `command` as `user` from the project folder (where `--import tsx` resolves) and waits for it. */
export function runAs(user: OtherUser, command: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command[0]!, command.slice(1), { uid: user.uid, gid: user.gid, env: { ...process.env, ...env, HOME: '/' }, encoding: 'utf8', cwd: PROJECT })
}

/**
 * A folder like /tmp: anyone may create in it (1777), no one may remove what others made. Removed
 * after the test.
 */
export async function sharedTempFolder(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await scratchFolder(t, 'etl-shared-tmp-')
  await fs.chmod(dir, 0o1777)
  return dir
}

/** A new folder (0700) in the system temp folder, whatever TMPDIR says now; removed after the test. */
export async function scratchFolder(t: { teardown(fn: () => Promise<void>): void }, prefix = 'etl-test-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(SYSTEM_TEMP, prefix))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  return dir
}
