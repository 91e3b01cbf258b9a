#!/usr/bin/env node
// The `etl` command. The CLI is compiled to dist/ by `npm ci` (the prepare script).
import { main } from '../dist/src/cli/main.js'

// Exit as soon as the command is done: a task that left a timer or a socket open must not keep a cron
// job, or an interrupted run, waiting. Writes to a pipe (the daemon's run logs, `etl deps | less`) are
// asynchronous, so the exit waits until both streams have handed over what they hold.
const code = await main()
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
