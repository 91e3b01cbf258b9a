import fs from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { EtlError, resolveConfig } from 'etl'

const EVENTS = 'success, failure, retry, disabled, missing_data, run_finished, schedule_missed'
const hook = { url: 'https://hooks.example/etl' }

/** The message `etl.config.json` with these channels is refused with (the test fails if it is taken). */
function refusal(notifications: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    resolveConfig({ notifications }, { env })
  } catch (error) {
    if (error instanceof EtlError && error.code === 'ETL_ERR_CONFIG_INVALID') return error.message
    throw error
  }
  throw new Error('the config was taken')
}

test('notifications config: every channel kind is taken, and ${ENV} fills in the SMTP password', (t) => {
  const config = resolveConfig(
    {
      notifications: [
        { name: 'slack', on: ['failure', 'run_finished'], families: ['LandTable'], webhook: { url: 'https://hooks.slack.com/services/T0/B0/x', headers: { 'X-Team': 'data' }, timeoutMs: 2000, retries: 5, backoffMs: 100 } },
        { on: ['failure'], email: { host: 'smtp.example.com', port: 465, secure: true, user: 'etl', password: '${SMTP_PASSWORD}', from: 'etl@example.com', to: 'Ops <ops@example.com>', subjectPrefix: '[prod]' } },
        { on: ['failure'], sns: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:etl-alerts', region: 'eu-west-1' } },
        { on: ['schedule_missed'], sqs: { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/etl-events' } },
        { on: ['disabled', 'missing_data'], command: { argv: ['./page.sh', '--team', 'data'], timeoutMs: 5000 } },
      ],
    },
    { env: { SMTP_PASSWORD: 'from-the-environment' } },
  )
  t.is(config.raw.notifications?.length, 5)
  t.is(config.raw.notifications?.[1]?.email?.password, 'from-the-environment')
})

test('notifications config: a misspelt event is refused with the nearest name and every valid one', (t) => {
  t.is(refusal([{ on: ['failure', 'failur'], webhook: hook }]), `etl.config.json is invalid:\n  "notifications.0.on.1": got "failur"; did you mean "failure"? expected one of ${EVENTS}`)
})

test('notifications config: "started" is refused, as it is for hooks only', (t) => {
  t.regex(refusal([{ on: ['started'], webhook: hook }]), /"notifications\.0\.on\.0": got "started"; "started" is for hooks only .*; use one of success, failure/)
})

test('notifications config: a channel on no events is refused', (t) => {
  t.is(refusal([{ on: [], webhook: hook }]), `etl.config.json is invalid:\n  "notifications.0.on": got []; expected at least one event: any of ${EVENTS}`)
  t.regex(refusal([{ webhook: hook }]), /"notifications\.0\.on": got nothing; expected a list of events such as \["failure"\]/)
})

test('notifications config: two channel kinds in one entry are refused, naming the channel', (t) => {
  t.regex(
    refusal([{ on: ['failure'], webhook: hook }, { name: 'ops', on: ['failure'], sns: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:a' }, command: { argv: ['x'] } }]),
    /"notifications\.1\.command": got \{"argv":\["x"\]\}; channel "ops" already sends by sns: one kind per entry, so move "command" to an entry of its own/,
  )
})

test('notifications config: an entry with no channel kind is refused with the kinds there are', (t) => {
  t.regex(refusal([{ on: ['failure'] }]), /"notifications\.0": got \{"on":\["failure"\]\}; this channel says how to send nothing: give one of webhook, email, sns, sqs, command/)
})

test('notifications config: a misspelt channel kind is an unknown key', (t) => {
  t.regex(refusal([{ on: ['failure'], webhok: hook }]), /unknown key "webhok" in "notifications\.0"; remove or rename it/)
})

test('notifications config: a webhook url that is not http(s) is refused, its token masked', (t) => {
  t.regex(refusal([{ on: ['failure'], webhook: { url: 'ftp://hooks.example/etl?token=abc123' } }]), /"notifications\.0\.webhook\.url": got "ftp:\/\/hooks\.example\/etl\?token=\*\*\*"; expected an http:\/\/ or https:\/\/ URL, such as https:\/\/hooks\.example\/etl/)
  t.regex(refusal([{ on: ['failure'], webhook: { url: 'hooks.example/etl' } }]), /"notifications\.0\.webhook\.url": got "hooks\.example\/etl"; expected an http:\/\/ or https:\/\/ URL/)
})

test('notifications config: webhook headers, timeouts and retries must be usable', (t) => {
  t.regex(refusal([{ on: ['failure'], webhook: { ...hook, headers: { 'X Team': 'data' } } }]), /"notifications\.0\.webhook\.headers\.X Team": got "data"; "X Team" is no header name: letters, digits and - only, no spaces/)
  const split = refusal([{ on: ['failure'], webhook: { ...hook, headers: { Authorization: 'Bearer abc\r\nX-Evil: 1' } } }])
  t.regex(split, /"notifications\.0\.webhook\.headers\.Authorization": got a value \(hidden: it is a secret\); a header value is one line/)
  t.regex(refusal([{ on: ['failure'], webhook: { ...hook, timeoutMs: 0 } }]), /"notifications\.0\.webhook\.timeoutMs": got 0; expected a whole number of at least 1/)
  t.regex(refusal([{ on: ['failure'], webhook: { ...hook, retries: -1 } }]), /"notifications\.0\.webhook\.retries": got -1; expected a whole number of 0 or more/)
})

test('notifications config: an empty or malformed "to" is refused', (t) => {
  const email = { host: 'smtp.example.com', from: 'etl@example.com' }
  t.regex(refusal([{ on: ['failure'], email: { ...email, to: [] } }]), /"notifications\.0\.email\.to": got \[\]; expected a mail address, or a non-empty list of them, such as \["ops@example\.com"\]/)
  t.regex(refusal([{ on: ['failure'], email: { ...email, to: '' } }]), /"notifications\.0\.email\.to": got ""; expected a mail address such as "ops@example\.com"/)
  t.regex(refusal([{ on: ['failure'], email: { ...email, to: ['ops@example.com', 'data team'] } }]), /"notifications\.0\.email\.to\.1": got "data team"; expected a mail address such as "ops@example\.com"/)
  t.regex(refusal([{ on: ['failure'], email: { host: 'smtp.example.com', to: 'ops@example.com' } }]), /"notifications\.0\.email\.from": got nothing; expected a mail address/)
})

test('notifications config: a password without its user is refused, and the password is never quoted', (t) => {
  const message = refusal([{ on: ['failure'], email: { host: 'smtp.example.com', password: '${SMTP_PASSWORD}', from: 'etl@example.com', to: 'ops@example.com' } }], { SMTP_PASSWORD: 'quoted-nowhere' })
  t.regex(message, /"notifications\.0\.email\.user": got nothing; a password needs its user: add "user", or remove "password"/)
  t.false(message.includes('quoted-nowhere'))
  const empty = refusal([{ on: ['failure'], email: { host: 'smtp.example.com', user: 'etl', password: '${SMTP_PASSWORD}', from: 'etl@example.com', to: 'ops@example.com' } }], { SMTP_PASSWORD: '' })
  t.regex(empty, /"notifications\.0\.email\.password": got a value \(hidden: it is a secret\); expected a non-empty string/)
})

test('notifications config: an SNS topic must be an ARN, an SQS queue a URL, and AWS keys come in pairs', (t) => {
  t.regex(refusal([{ on: ['failure'], sns: { topicArn: 'etl-alerts' } }]), /"notifications\.0\.sns\.topicArn": got "etl-alerts"; expected a topic ARN such as arn:aws:sns:eu-west-1:123456789012:etl-alerts/)
  t.regex(refusal([{ on: ['failure'], sqs: { queueUrl: 'etl-events' } }]), /"notifications\.0\.sqs\.queueUrl": got "etl-events"; expected an http:\/\/ or https:\/\/ URL, such as https:\/\/sqs\.eu-west-1\.amazonaws\.com\/123456789012\/etl-events/)
  t.regex(
    refusal([{ on: ['failure'], sqs: { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', accessKeyId: 'AKID' } }]),
    /"notifications\.0\.sqs\.secretAccessKey": got nothing; accessKeyId and secretAccessKey go together: give both, or neither to use the environment/,
  )
})

test('notifications config: a command is a list of words, never a shell line', (t) => {
  t.regex(refusal([{ on: ['failure'], command: { argv: './notify.sh --to ops' } }]), /"notifications\.0\.command\.argv": got "\.\/notify\.sh --to ops"; expected a list such as \["\.\/notify\.sh", "--to", "ops"\]: the program runs without a shell/)
  t.regex(refusal([{ on: ['failure'], command: { argv: [] } }]), /"notifications\.0\.command\.argv": got \[\]; expected at least the program to run/)
})

test('notifications config: an empty family filter and two channels of one name are refused', (t) => {
  t.regex(refusal([{ on: ['failure'], families: [], webhook: hook }]), /"notifications\.0\.families": got \[\]; expected at least one task family; leave "families" out to take every family/)
  t.regex(
    refusal([
      { name: 'ops', on: ['failure'], webhook: hook },
      { name: 'ops', on: ['run_finished'], webhook: hook },
    ]),
    /"notifications\.1\.name": got "ops"; channel 0 is named "ops" already; give each channel its own name/,
  )
})

test('notifications config: notifications is a list', (t) => {
  t.regex(refusal({ on: ['failure'], webhook: hook }), /"notifications": got .*; expected a list of channels such as \[\{"on": \["failure"\]/)
})

test('notifications config: every example config in the README’s Notifications section is taken', async (t) => {
  const readme = await fs.readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')
  const section = readme.slice(readme.indexOf('\n## Notifications\n'), readme.indexOf('\n## CLI reference\n'))
  const examples = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1]!) as Record<string, unknown>).filter((example) => 'notifications' in example)
  t.is(examples.length, 5)
  for (const example of examples) t.notThrows(() => resolveConfig(example, { env: { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x', SMTP_PASSWORD: 'x' } }))
})
