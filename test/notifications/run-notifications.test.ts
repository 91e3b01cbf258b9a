import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/sandbox.js'
import { SmtpTestServer } from '../helpers/smtp-test-server.js'
import { SnsServer } from '../helpers/sns-server.js'
import { SqsServer } from '../helpers/sqs-server.js'
import { WebhookServer } from '../helpers/webhook-server.js'

const M = ['--module', fileURLToPath(new URL('../fixtures/tasks/hook-tasks.ts', import.meta.url))]
const AWS = { AWS_ACCESS_KEY_ID: 'AKIDRUNTEST', AWS_SECRET_ACCESS_KEY: 'run-test-secret-key', AWS_REGION: 'eu-west-1' }

test('a run whose tasks fail posts a webhook per failure, sends one batched mail, and reaches an SNS topic and an SQS queue; its exit code is the run’s', async (t) => {
  const webhook = new WebhookServer()
  const smtp = new SmtpTestServer({ etl: 'mail-password-for-the-run' })
  const sns = new SnsServer()
  const sqs = new SqsServer()
  const [hook, smtpPort, snsEndpoint, sqsEndpoint] = await Promise.all([webhook.start(), smtp.start(), sns.start(), sqs.start()])
  t.teardown(() => Promise.all([webhook.stop(), smtp.stop(), sns.stop(), sqs.stop()]).then(() => {}))
  const topicArn = sns.topic('etl-alerts', 'eu-west-1')
  const queueUrl = sqs.queue('etl-events')
  const cwd = await tempDir()
  const notifications = [
    { name: 'slack', on: ['failure'], webhook: { url: `${hook}/services/T0/B0/\${HOOK_TOKEN}` } },
    { name: 'mail', on: ['failure', 'run_finished'], email: { host: '127.0.0.1', port: smtpPort, user: 'etl', password: '${SMTP_PASSWORD}', from: 'etl@example.com', to: 'ops@example.com' } },
    { name: 'topic', on: ['failure'], families: ['BreaksTable'], sns: { topicArn, endpoint: snsEndpoint } },
    { name: 'queue', on: ['run_finished'], sqs: { queueUrl, endpoint: sqsEndpoint } },
  ]
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify({ notifications }))
  const secrets = { HOOK_TOKEN: 'xoxb-hook-token-0123456789', SMTP_PASSWORD: 'mail-password-for-the-run' }
  const run = await runCli(['run', 'BreaksAll', '--local-scheduler', ...M], cwd, { ...AWS, ...secrets })
  t.is(run.code, 3, run.stdout + run.stderr)

  t.is(webhook.requests.length, 3)
  const posted = webhook.requests.map((request) => JSON.parse(request.body) as { event: string; error: string; text: string })
  t.deepEqual(posted.map((body) => body.error).sort(), ['table items: connection refused', 'table orders: connection refused', 'table refunds: connection refused'])
  t.true(posted.every((body) => body.event === 'failure' && /^:x: BreaksAll\(\): BreaksTable\(table=\w+\) failed: table \w+: connection refused$/.test(body.text)))

  t.is(smtp.mails.length, 1, 'one mail for the whole run')
  t.is(smtp.logins[0]?.password, 'mail-password-for-the-run')
  t.regex(smtp.mails[0]!.subject, /BreaksAll\(\)/)
  for (const table of ['orders', 'items', 'refunds']) t.true(smtp.mails[0]!.text.includes(`table ${table}: connection refused`), table)
  t.regex(smtp.mails[0]!.text, /exit code 3/)

  t.is(sns.published.length, 3)
  t.true(sns.published.every((message) => JSON.parse(message.message).event === 'failure'))
  t.is(sqs.messages.length, 1)
  t.like(JSON.parse(sqs.messages[0]!.body), { event: 'run_finished', exitCode: 3 })

  const everything = [run.stdout, run.stderr, ...webhook.requests.map((request) => request.body + JSON.stringify(request.headers)), ...smtp.mails.map((mail) => mail.raw), ...sns.published.map((m) => m.message), ...sqs.messages.map((m) => m.body)].join('\n')
  for (const secret of Object.values(secrets)) t.false(everything.includes(secret), `${secret} leaked`)
})

test('a webhook that is down never changes the exit code of a run that succeeds', async (t) => {
  const webhook = new WebhookServer()
  const hook = await webhook.start()
  webhook.failNext(100)
  t.teardown(() => webhook.stop())
  const cwd = await tempDir()
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify({ notifications: [{ on: ['success', 'run_finished'], webhook: { url: `${hook}/hook`, retries: 1, backoffMs: 1 } }] }))
  const run = await runCli(['run', 'Works', '--local-scheduler', ...M], cwd)
  t.is(run.code, 0, run.stderr)
  t.regex(run.stdout, /exit code 0: the requested task is complete/)
  t.regex(run.stderr, /notifications\[0\]/)
  t.is(webhook.requests.length, 4, 'success and run_finished, each tried twice')
})
