import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import readline from 'node:readline'
import path from 'node:path'
import { text } from 'node:stream/consumers'
import test from 'ava'
import fc from 'fast-check'
import { LocalStorage, parseCsv, type Storage } from 'etl'
import { REJECT_REASONS, parseCaseLogLine } from '../../tasks/support/case-log/case-log-line.js'
import { parseCaseLog } from '../../tasks/support/case-log/parse-case-log.js'
import { writeEventRecord } from '../../tasks/support/case-log/event-record.js'
import { lineBatches } from '../../tasks/support/case-log/log-lines.js'
import { caseLogFile } from '../../tasks/support/sample/sample-periods.js'
import { initSupportSource } from '../../tasks/support/sample/support-source.js'
import { scratchPglite } from '../helpers/databases.js'
import { tempDir } from '../helpers/sandbox.js'

const readText = async (lake: Storage, key: string) => text(await lake.get(key))

test('case log: each kind of event line is read into its fields', (t) => {
  t.deepEqual(parseCaseLogLine('2024-03-05 10:22:13 [case 1234] CREATED'), { case_id: 1234, event: 'CREATED', aid: null, event_at: '2024-03-05 10:22:13' })
  t.deepEqual(parseCaseLogLine('2024-03-05 10:40:00 [case 1234] ASSIGNED to analyst 17'), { case_id: 1234, event: 'ASSIGNED', aid: 17, event_at: '2024-03-05 10:40:00' })
  t.deepEqual(parseCaseLogLine('2024-03-05 11:02:31 [case 1234] RESPONDED by analyst 17'), { case_id: 1234, event: 'RESPONDED', aid: 17, event_at: '2024-03-05 11:02:31' })
  t.deepEqual(parseCaseLogLine('2024-03-06 09:00:00 [case 1234] RESOLVED by analyst 17 \r'), { case_id: 1234, event: 'RESOLVED', aid: 17, event_at: '2024-03-06 09:00:00' })
  t.deepEqual(parseCaseLogLine('2024-02-29 23:59:59 [case 1] CREATED'), { case_id: 1, event: 'CREATED', aid: null, event_at: '2024-02-29 23:59:59' }, 'a leap day exists')
})

test('case log: each kind of malformed line is recognised, with its reason', (t) => {
  const reasons: [string, string][] = [
    ['', REJECT_REASONS.empty],
    ['   ', REJECT_REASONS.empty],
    ['Connection reset by peer', REJECT_REASONS.notCaseLog],
    ['~~~~~~~~', REJECT_REASONS.notCaseLog],
    ['2024-13-45 99:00:00 [case 1234] CREATED', REJECT_REASONS.timestamp],
    ['2024-02-30 10:00:00 [case 1234] CREATED', REJECT_REASONS.timestamp],
    ['2023-02-29 10:00:00 [case 1234] CREATED', REJECT_REASONS.timestamp],
    ['2024-06-30 24:00:00 [case 1234] CREATED', REJECT_REASONS.timestamp],
    ['24-07-01 10:00 [case 1234] CREATED', REJECT_REASONS.timestamp],
    ['2024-03-05 10:22:13 [case ] RESOLVED by analyst 17', REJECT_REASONS.missingCase],
    ['2024-03-05 10:22:13 [case] CREATED', REJECT_REASONS.missingCase],
    ['2024-03-05 10:22:13 RESOLVED by analyst 17', REJECT_REASONS.missingCase],
    ['2024-03-05 10:22:13 [case 12a] CREATED', REJECT_REASONS.caseId],
    ['2024-03-05 10:22:13 [case 99999999999] CREATED', REJECT_REASONS.caseId],
    ['2024-03-05 10:22:13 [case 1234] ESCALATED by analyst 17', REJECT_REASONS.unknownEvent],
    ['2024-03-05 10:22:13 [case 1234] created', REJECT_REASONS.unknownEvent],
    ['2024-03-05 10:22:13 [case 1234] CREATED by analyst 17', REJECT_REASONS.malformedEvent],
    ['2024-03-05 10:22:13 [case 1234] ASSIGNED by analyst 17', REJECT_REASONS.malformedEvent],
    ['2024-03-05 10:22:13 [case 1234] RESOLVED', REJECT_REASONS.malformedEvent],
    ['2024-03-05 10:22:13 [case 1234] RESPONDED by analyst x', REJECT_REASONS.analystId],
  ]
  for (const [line, reason] of reasons) t.deepEqual(parseCaseLogLine(line), { reason }, line)
})

test('case log: files are parsed into one events CSV and one rejects CSV that keeps each line number', async (t) => {
  const dir = await tempDir('etl-case-log-')
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const first = path.join(dir, 'case_log_0001.log')
  const second = path.join(dir, 'case_log_0002.log')
  await fs.writeFile(
    first,
    '\uFEFF2024-03-05 10:22:13 [case 1234] CREATED\r\n' +
      '2024-03-05 10:40:00 [case 1234] ASSIGNED to analyst 17\r\n' +
      'garbage, with "quotes"\r\n' +
      '2024-13-45 99:00:00 [case 1234] RESPONDED by analyst 17\r\n' +
      '2024-03-05 11:02:31 [case 1234] RESPONDED by analyst 17\r\n',
  )
  await fs.writeFile(second, '2024-03-06 09:00:00 [case ] RESOLVED by analyst 17\n2024-03-06 09:00:00 [case 1234] ESCALATED\n2024-03-06 09:00:00 [case 1234] RESOLVED by analyst 17')
  const lake = new LocalStorage(path.join(dir, 'lake'))
  const result = await parseCaseLog({ files: [first, second], lake, key: 'events.csv', rejectsKey: 'rejects.csv' })
  t.deepEqual(result, { parsed: 4, rejected: 4 })
  t.is(
    await readText(lake, 'events.csv'),
    'case_id,event,aid,event_at,source_file,line_no\n' +
      '1234,CREATED,,2024-03-05 10:22:13,case_log_0001.log,1\n' +
      '1234,ASSIGNED,17,2024-03-05 10:40:00,case_log_0001.log,2\n' +
      '1234,RESPONDED,17,2024-03-05 11:02:31,case_log_0001.log,5\n' +
      '1234,RESOLVED,17,2024-03-06 09:00:00,case_log_0002.log,3\n',
  )
  t.deepEqual(parseCsv(await readText(lake, 'rejects.csv')), [
    ['source_file', 'line_no', 'reason', 'line'],
    ['case_log_0001.log', '3', 'not a case log line', 'garbage, with "quotes"'],
    ['case_log_0001.log', '4', 'invalid timestamp', '2024-13-45 99:00:00 [case 1234] RESPONDED by analyst 17'],
    ['case_log_0002.log', '1', 'missing case id', '2024-03-06 09:00:00 [case ] RESOLVED by analyst 17'],
    ['case_log_0002.log', '2', 'unknown event', '2024-03-06 09:00:00 [case 1234] ESCALATED'],
  ])
})

test('case log: with nothing malformed the rejects file has its header only, and no files give empty CSVs', async (t) => {
  const dir = await tempDir('etl-case-log-')
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const lake = new LocalStorage(path.join(dir, 'lake'))
  t.deepEqual(await parseCaseLog({ files: [], lake, key: 'events.csv', rejectsKey: 'rejects.csv' }), { parsed: 0, rejected: 0 })
  t.is(await readText(lake, 'events.csv'), 'case_id,event,aid,event_at,source_file,line_no\n')
  t.is(await readText(lake, 'rejects.csv'), 'source_file,line_no,reason,line\n')
})

test('case log: a missing file fails the parse and leaves no events object behind', async (t) => {
  const dir = await tempDir('etl-case-log-')
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const lake = new LocalStorage(path.join(dir, 'lake'))
  await t.throwsAsync(parseCaseLog({ files: [path.join(dir, 'case_log_0009.log')], lake, key: 'events.csv', rejectsKey: 'rejects.csv' }), { message: /case_log_0009\.log/ })
  t.false(await lake.exists('events.csv'))
})

test("case log: the sample's log parses whole, every line an event but the malformed ones it counts", async (t) => {
  const dir = await tempDir('etl-case-log-')
  const scratch = await scratchPglite('support_source')
  t.teardown(async () => {
    await scratch.drop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  const counts = await initSupportSource(scratch.db, { scale: 1, seed: 3, exportDir: path.join(dir, 'exports') })
  const lake = new LocalStorage(path.join(dir, 'lake'))
  const result = await parseCaseLog({ files: [path.join(dir, 'exports', caseLogFile(1))], lake, key: 'events.csv', rejectsKey: 'rejects.csv' })
  t.deepEqual(result, { parsed: counts.case_log_lines - counts.malformed_log_lines, rejected: counts.malformed_log_lines })
  const reasons = new Set(parseCsv(await readText(lake, 'rejects.csv')).slice(1).map((record) => record[2]))
  t.deepEqual([...reasons].sort(), [REJECT_REASONS.timestamp, REJECT_REASONS.missingCase, REJECT_REASONS.notCaseLog, REJECT_REASONS.unknownEvent].sort(), 'every kind the sample writes')
  const created = parseCsv(await readText(lake, 'events.csv')).filter((record) => record[1] === 'CREATED')
  t.is(created.length, counts.cases)
})

test('case log: lines split where readline splits them, whatever falls at the edge of a read', async (t) => {
  const dir = await tempDir('etl-case-log-')
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'case_log_0001.log')
  const texts = ['a\r\nb\r\n', 'a\rb\r', 'a\n\nb', '', '\n', '\r', 'x\r\r\ny', '\uFEFFa\nb\n', 'a\r\n\r\n', 'ab\r\ncd\r\nef\rgh\n']
  for (const text of texts) {
    await fs.writeFile(file, text)
    const expected: string[] = []
    for await (const line of readline.createInterface({ input: createReadStream(file), crlfDelay: Infinity })) expected.push(expected.length === 0 ? line.replace(/^\uFEFF/, '') : line)
    // Reads of 1 to 4 bytes put every break, a \r\n's halves included, at the edge of one.
    for (const readChars of [1, 2, 3, 4, 1 << 20]) {
      const lines: string[] = []
      for await (const { bytes, starts, ends } of lineBatches(file, readChars)) lines.push(...starts.map((start, i) => bytes.toString('utf8', start, ends[i])))
      t.deepEqual(lines, expected, `${JSON.stringify(text)} read ${readChars} at a time`)
    }
  }
})

test('case log: a line read from its bytes gives the record its full parse gives, or is left to it', (t) => {
  const middle = Buffer.from(',case_log_0001.log,')
  const tail = Buffer.from(',7\n')
  const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`))
  const stamp = fc.tuple(digits(4, 4), digits(2, 2), digits(2, 2), digits(2, 2), digits(2, 2), digits(2, 2)).map(([y, mo, d, h, mi, s]) => `${y}-${mo}-${d} ${h}:${mi}:${s}`)
  const realStamp = fc.date({ min: new Date('1990-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 19).replace('T', ' '))
  const id = fc.oneof(digits(1, 11), fc.integer({ min: 1, max: 2_147_483_647 }).map(String), fc.constantFrom('', '0', '00', ' 5', '2147483648'))
  const event = fc.oneof(
    fc.constant('CREATED'),
    id.map((aid) => `ASSIGNED to analyst ${aid}`),
    fc.constantFrom('RESPONDED', 'RESOLVED', 'ESCALATED', 'created').chain((name) => id.map((aid) => `${name} by analyst ${aid}`)),
    fc.constantFrom('CREATED ', 'ASSIGNED by analyst 3', 'RESOLVED by analyst', 'ASSIGNED to analyst 3 '),
  )
  const line = fc.tuple(fc.oneof(stamp, realStamp), id, event, fc.constantFrom('', ' ', '\t', 'é')).map(([at, caseId, what, pad]) => `${at} [case ${caseId}] ${what}${pad}`)
  fc.assert(
    fc.property(fc.oneof(line, fc.string({ maxLength: 60 })), (text) => {
      const bytes = Buffer.from(text)
      const out = Buffer.alloc(bytes.length + middle.length + tail.length + 16)
      const end = writeEventRecord(bytes, 0, bytes.length, out, 0, middle, 12, tail)
      if (end < 0) return
      const parsed = parseCaseLogLine(text)
      t.false('reason' in parsed, text)
      if ('reason' in parsed) return
      t.is(out.toString('utf8', 0, end), `${parsed.case_id},${parsed.event},${parsed.aid ?? ''},${parsed.event_at},case_log_0001.log,12,7\n`, text)
    }),
    { numRuns: 20_000 },
  )
  // The fast path takes the ordinary lines, which are nearly all of a log.
  for (const text of ['2024-03-05 10:22:13 [case 1234] CREATED', '2024-02-29 23:59:59 [case 9] RESOLVED by analyst 123456789']) {
    t.true(writeEventRecord(Buffer.from(text), 0, text.length, Buffer.alloc(200), 0, middle, 1, tail) > 0, text)
  }
})
