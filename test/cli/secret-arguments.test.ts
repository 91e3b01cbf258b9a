import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'

const M = ['--module', fileURLToPath(new URL('../fixtures/tasks/secret-tasks.ts', import.meta.url))]

async function withConfig(config: unknown): Promise<string> {
  const cwd = await tempDir()
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify(config))
  return cwd
}

test('secret arguments: etl list marks secrets, declared or from ${ENV}, and shows no default of one', async (t) => {
  const cwd = await withConfig({ tasks: { Extract: { password: '${SOURCE_PASSWORD}' } } })
  const result = await runCli(['list', ...M], cwd, { SOURCE_PASSWORD: 'Lst9Secret' })
  t.is(result.code, 0, result.stderr)
  t.regex(result.stdout, /Extract\n {2}--tag <string> \(required\)\n {2}--password <string> \(required\) \[secret: its config value comes from \$\{ENV\}; not part of the id, never shown\] {2}the source database password/)
  t.regex(result.stdout, /Login\n {2}--tag <string> \(required\)\n {2}--token <secret> \(required\) \[secret: not part of the id, never shown\] {2}the API token/)
  t.regex(result.stdout, /Connect\n {2}--user <string> = etl\n {2}--password <secret> = •••• \[secret: not part of the id, never shown\]\n {2}--apiKey <string> = ••••\n/)
  for (const secret of ['Lst9Secret', 'Df1tPassword', 'Df2tApiKey']) t.false(result.stdout.includes(secret))
})

test('secret arguments: run --help shows no default of a secret, nor of a parameter named like one', async (t) => {
  const result = await runCli(['run', 'Connect', '--help', ...M], await tempDir())
  t.is(result.code, 0, result.stderr)
  t.regex(result.stdout, /--password +\(secret; default ••••\)/)
  t.regex(result.stdout, /--apiKey +\(string; default ••••\)/)
  t.regex(result.stdout, /--user +\(string; default etl\)/)
  t.false(result.stdout.includes('Df1tPassword') || result.stdout.includes('Df2tApiKey'))
})

test('secret arguments: a secret on the command line works, with a warning that other users can read it, and goes nowhere else', async (t) => {
  const cwd = await tempDir()
  const secret = 'Cl3iOnTheCommandLine'
  const result = await runCli(['run', 'Connect', '--password', secret, '--local-scheduler', ...M], cwd)
  t.is(result.code, 0, result.stdout + result.stderr)
  t.regex(result.stderr, /--password is a secret given on the command line, where other users of this machine can read it \(ps, \/proc\/<pid>\/cmdline\)/)
  t.regex(result.stderr, /"tasks": \{ "Connect": \{ "password": "\$\{CONNECT_PASSWORD\}" \} \}/)
  t.regex(result.stderr, /connected as etl with ••••/)
  t.regex(result.stdout, /✓ Connect\(user=etl, password=••••, apiKey=Df2tApiKeyInCode\)/, 'a default from code, given no ${ENV}, is no secret')
  const [marker] = await fs.readdir(path.join(cwd, 'output', 'Connect'))
  const written = await fs.readFile(path.join(cwd, 'output', 'Connect', marker!), 'utf8')
  t.false([result.stdout, result.stderr, marker!, written].some((text) => text.includes(secret)))
  const quiet = await runCli(['run', 'Connect', '--user', 'other', '--local-scheduler', ...M], cwd)
  t.notRegex(quiet.stderr, /command line/, 'no warning without a secret on it')
})

test('secret arguments: a secret the parameter cannot take is refused at start without showing it', async (t) => {
  const cwd = await withConfig({ tasks: { Login: { token: 987654321 } } })
  const result = await runCli(['run', 'Login', '--tag', 'x', '--local-scheduler', ...M], cwd)
  t.is(result.code, 5)
  t.regex(result.stderr, /"tasks\.Login\.token": got a value \(hidden: it is a secret\); expected a string \(a secret\)/)
  t.false(result.stderr.includes('987654321'))
})
