#!/usr/bin/env node
// The `etl` command. The CLI is compiled to dist/ by `npm ci` (the prepare script).
import { main } from '../dist/src/cli/main.js'

// Exit as soon as the command is done: a task that left a timer or a socket open must not keep a cron
// job, or an interrupted run, waiting. Output and logs are written synchronously, so nothing is lost.
process.exit(await main())
