/**
 * This process's user id, or `undefined` where there are none (Windows). It never asks the passwd
 * database, as `os.userInfo()` does: a uid with no passwd entry (a container started with
 * `--user 4242`, a CI runner's made-up user) is a user too, and `os.userInfo()` throws for it.
 */
export function currentUserId(): number | undefined {
  return process.getuid?.()
}
