/** How often the parent is checked; an orphaned command stops within about this long. */
const CHECK_INTERVAL_MS = 500

/**
 * Under `npx etl …` (npm exec), stops this process as if sent SIGTERM once the launcher is gone.
 * npm does not pass a SIGTERM sent to it on to the command it started, so `kill <npx pid>` would
 * leave a daemon or a run going on its own with nobody to stop it. A process started any other way
 * (a service manager, `nohup`, a plain shell) is left alone: there, outliving the parent is meant.
 */
export function stopWithLauncher(env: NodeJS.ProcessEnv = process.env): void {
  if (env.npm_command !== 'exec') return
  const parent = process.ppid
  const timer = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(timer)
    // The command's own SIGTERM handling (a clean daemon stop, a run's interruption) does the rest.
    process.kill(process.pid, 'SIGTERM')
  }, CHECK_INTERVAL_MS)
  timer.unref()
}
