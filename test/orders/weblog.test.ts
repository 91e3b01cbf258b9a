import fs from 'node:fs/promises'
import path from 'node:path'
import { text } from 'node:stream/consumers'
import test from 'ava'
import { LocalStorage } from '../../src/lake/local-storage.js'
import type { Storage } from '../../src/lake/storage.js'
import { countLines, lineStartOffset } from '../../src/util/file-lines.js'
import { transformAccessLog } from '../../tasks/orders/weblog/transform-access-log.js'
import { tempDir } from '../helpers/sandbox.js'
import { UNKNOWN_TIMESTAMP, convertLogTimestamp, deviceOf, parseAccessLogLine, splitRequest } from '../../tasks/orders/weblog/access-log.js'
import { IpCountryLookup, UNKNOWN_COUNTRY } from '../../tasks/orders/weblog/ip-country.js'
import { splitStatements } from '../../src/etl/sql-files.js'

const readText = async (lake: Storage, key: string) => text(await lake.get(key))

const LINE = '21.3.4.5 - user7 [10/Oct/2024:13:55:36 +0200] "GET /products/P00012 HTTP/1.1" 200 2326 "https://shop.example/" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)"'

test('weblog: a combined-log-format line is split into its fields', (t) => {
  t.deepEqual(parseAccessLogLine(LINE), {
    ip: '21.3.4.5',
    username: 'user7',
    time: '10/Oct/2024:13:55:36 +0200',
    request: 'GET /products/P00012 HTTP/1.1',
    status: 200,
    bytes: 2326,
    referrer: 'https://shop.example/',
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)',
  })
  t.deepEqual(splitRequest('GET /a HTTP/1.1'), { method: 'GET', path: '/a', protocol: 'HTTP/1.1' })
  t.deepEqual(splitRequest('\\x16\\x03'), { method: null, path: null, protocol: null })
})

test('weblog: malformed lines are recognised as such', (t) => {
  for (const line of ['', 'garbage', '10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "GET /', LINE.replace(' 200 ', ' OK ')]) t.is(parseAccessLogLine(line), undefined, line)
})

test('weblog: the device comes from the user agent, else Other', (t) => {
  t.is(deviceOf('Mozilla/5.0 (Linux; Android 14; Pixel 8)'), 'Android')
  t.is(deviceOf('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)'), 'iPhone')
  t.is(deviceOf('Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X)'), 'iPad')
  t.is(deviceOf('Mozilla/5.0 (Windows NT 10.0; Win64; x64)'), 'Windows')
  t.is(deviceOf('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)'), 'Macintosh')
  t.is(deviceOf('curl/8.5.0'), 'Other')
})

test('weblog: timestamps convert to yyyy-mm-dd hh24:mi:ss in UTC, or 1900-01-01 00:00:00 when they cannot', (t) => {
  t.is(convertLogTimestamp('10/Oct/2024:13:55:36 +0200'), '2024-10-10 11:55:36')
  t.is(convertLogTimestamp('31/Dec/2024:23:30:00 -0100'), '2025-01-01 00:30:00')
  t.is(convertLogTimestamp('31/Feb/2024:10:00:00 +0000'), UNKNOWN_TIMESTAMP)
  t.is(convertLogTimestamp('10/Foo/2024:13:55:36 +0000'), UNKNOWN_TIMESTAMP)
  t.is(convertLogTimestamp('10/Oct/2024:25:00:00 +0000'), UNKNOWN_TIMESTAMP)
  t.is(convertLogTimestamp('yesterday'), UNKNOWN_TIMESTAMP)
})

test('weblog: the country comes from the local range table, each distinct IP looked up once', (t) => {
  const lookup = IpCountryLookup.fromCsv('start_ip,end_ip,country\n20.0.0.0,29.255.255.255,United Kingdom\n30.0.0.0,39.255.255.255,Germany\n', 'ip-ranges.csv')
  t.is(lookup.country('21.3.4.5'), 'United Kingdom')
  t.is(lookup.country('39.255.255.255'), 'Germany')
  t.is(lookup.country('21.3.4.5'), 'United Kingdom')
  t.is(lookup.country('8.8.8.8'), UNKNOWN_COUNTRY)
  t.is(lookup.country('not-an-ip'), UNKNOWN_COUNTRY)
  t.is(lookup.lookups, 4)
  t.throws(() => IpCountryLookup.fromCsv('start_ip,end_ip,country\n1.2.3,1.2.3.4,X\n', 'ip-ranges.csv'), { message: /ip-ranges\.csv, line 2: expected start_ip,end_ip,country/ })
})

test('sql files: statements split at line-ending semicolons, comment lines dropped', (t) => {
  t.deepEqual(splitStatements('-- a comment\ncreate schema if not exists pres;\ndrop table x;  \nselect 1\n'), ['create schema if not exists pres', 'drop table x', 'select 1'])
})

test('weblog: line counts and line starts agree, with or without a last newline', async (t) => {
  const dir = await tempDir('etl-lines-')
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'access.log')
  await fs.writeFile(file, 'one\ntwo\n\nfour\nfive')
  t.is(await countLines(file), 5)
  t.deepEqual(await Promise.all([0, 1, 2, 3, 4, 5, 9].map((lines) => lineStartOffset(file, lines))), [0, 4, 8, 9, 14, 18, 18])
  t.is(await countLines(path.join(dir, 'missing.log')), 0)
})

test('weblog: a sequence parses only the lines after those earlier sequences took, numbered as in the file', async (t) => {
  const dir = await tempDir('etl-lines-')
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const logFile = path.join(dir, 'access.log')
  const line = (n: number) => `10.0.0.${n} - user${n} [10/Oct/2024:13:55:36 +0000] "GET /p${n} HTTP/1.1" 200 99 "-" "curl/8.5.0"\n`
  await fs.writeFile(logFile, [1, 2, 3].map(line).join('') + 'not a log line\n' + [5, 6].map(line).join(''))
  const lake = new LocalStorage(path.join(dir, 'lake'))
  const result = await transformAccessLog({ logFile, fromLine: 2, toLine: 5, seq: 2, lookup: new IpCountryLookup([]), lake, key: 'out.csv', rejectsKey: 'rejects.csv' })
  t.deepEqual(result, { parsed: 2, rejected: 1, distinctIps: 2 })
  const rows = (await readText(lake, 'out.csv')).trim().split(/\r?\n/).slice(1)
  t.deepEqual(rows.map((row) => row.split(',').slice(0, 3).join(',')), ['3,10.0.0.3,user3', '5,10.0.0.5,user5'])
  t.regex(await readText(lake, 'rejects.csv'), /\n4,not a combined log format line,not a log line/)
})
