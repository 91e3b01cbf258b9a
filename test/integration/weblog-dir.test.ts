import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { runCli } from '../helpers/cli.js'
import { pipelineProject } from '../helpers/pipeline-project.js'
import { exists } from '../helpers/sandbox.js'

test('weblog dir: one setting, tasks.ParseWeblog.weblogDir, moves the access log for every step and for etl demo', async (t) => {
  const p = await pipelineProject()
  t.teardown(() => p.remove())
  await fs.writeFile(path.join(p.cwd, 'etl.config.json'), JSON.stringify({ tasks: { ParseWeblog: { weblogDir: 'logs/web' } } }))
  const run = () => runCli(['run', 'RunJob', '--local-scheduler', '--module', p.module], p.cwd)

  const first = await run()
  t.is(first.code, 0, first.stdout + first.stderr)
  t.regex(first.stdout, /ParseWeblog\(weblogDir=logs\/web\) .* rows=195 /)
  t.true(await exists(path.join(p.cwd, 'logs', 'web', 'access.log')))
  t.false(await exists(path.join(p.cwd, 'data', 'weblog')), 'nothing looks in, or writes to, the default folder')
  t.regex((await run()).stdout, /Nothing to do/)

  // New lines in the moved log start a sequence, and demo advance writes them there.
  const advance = await runCli(['demo', 'advance', '--module', p.module], p.cwd)
  t.is(advance.code, 0, advance.stderr)
  const second = await run()
  t.is(second.code, 0, second.stdout + second.stderr)
  t.regex(second.stdout, /StartExecution\(\) .* seq=2 started=true/)
  t.regex(second.stdout, /ParseWeblog\(weblogDir=logs\/web\) .* seq=2 rows=\d+ /)

  // Only a log appended to, with no source change, is new work too.
  await fs.appendFile(path.join(p.cwd, 'logs', 'web', 'access.log'), '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "Mozilla/5.0 (iPhone)"\n')
  const third = await run()
  t.regex(third.stdout, /StartExecution\(\) .* seq=3 started=true/)
  t.regex(third.stdout, /ParseWeblog\(weblogDir=logs\/web\) .* seq=3 rows=1 /)

  // The key the other steps once had is refused, with the one to use.
  await fs.writeFile(path.join(p.cwd, 'etl.config.json'), JSON.stringify({ tasks: { PrepareSource: { weblogDir: 'logs/web' } } }))
  const refused = await run()
  t.is(refused.code, 5)
  t.regex(refused.stderr, /"tasks\.PrepareSource\.weblogDir": PrepareSource has no such parameter; known: scale, seed/)
})
