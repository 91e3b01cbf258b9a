import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import test from 'ava'
import fc from 'fast-check'
import { csvChunks, lastRecordEnd } from '../../src/csv/csv-chunks.js'
import { CsvDecoder } from '../../src/csv/csv-decoder.js'
import { CsvEncoder } from '../../src/csv/csv-encoder.js'
import { splitCsvHeader } from '../../src/csv/csv-header.js'
import { parseCsv, type CsvRecord } from '../../src/csv/csv-parser.js'
import { encodeCsvField, encodeCsvRecord } from '../../src/csv/csv-value.js'

async function encode(rows: unknown[][], header?: string[]): Promise<string> {
  let out = ''
  const encoder = new CsvEncoder({ header })
  await pipeline(Readable.from(rows), encoder, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out += chunk.toString('utf8')
  })
  return out
}

async function decode(chunks: (string | Buffer)[]): Promise<CsvRecord[]> {
  const records: CsvRecord[] = []
  for await (const record of Readable.from(chunks, { objectMode: false }).pipe(new CsvDecoder())) records.push(record as CsvRecord)
  return records
}

test('csv: NULL is an empty unquoted field and the empty string is ""', (t) => {
  t.is(encodeCsvRecord([null, '', 'x']), ',"",x')
  t.deepEqual(parseCsv(',"",x\n'), [[null, '', 'x']])
})

test('csv: commas, quotes, tabs, newlines and non-ASCII text are quoted only where needed', (t) => {
  t.is(encodeCsvField('a,b'), '"a,b"')
  t.is(encodeCsvField('say "hi"'), '"say ""hi"""')
  t.is(encodeCsvField('line\nbreak'), '"line\nbreak"')
  t.is(encodeCsvField('cr\rlf'), '"cr\rlf"')
  t.is(encodeCsvField('tab\there'), 'tab\there')
  t.is(encodeCsvField('Zürich 東京 🚀'), 'Zürich 東京 🚀')
  t.is(encodeCsvField('\\.'), '"\\."', 'the COPY end-of-data marker is quoted')
})

test('csv: decimals, big integers and timestamps pass through as the text they were', (t) => {
  const values = ['12345678901234567890.0123456789', '-9223372036854775808', '2024-02-29 23:59:59.999999', '0.10']
  t.deepEqual(parseCsv(encodeCsvRecord(values) + '\n'), [values])
})

test('csv: numbers, booleans, bytes and dates get a text form loaders read back', (t) => {
  t.is(encodeCsvRecord([1.5, 12n, true, false, Buffer.from([0, 255]), new Date('2024-01-02T03:04:05.678Z'), { a: 1 }]), '1.5,12,true,false,\\x00ff,2024-01-02 03:04:05.678,"{""a"":1}"')
})

test('csv: the decoder reads CRLF and LF endings and a last record without one', (t) => {
  t.deepEqual(parseCsv('a,b\r\n1,2\n3,"x\r\ny"'), [['a', 'b'], ['1', '2'], ['3', 'x\r\ny']])
})

test('csv: a malformed record is an error naming the record', (t) => {
  const error = t.throws(() => parseCsv('a\n"open\n'))
  t.regex(error.message, /record 2 .*never closed/)
  t.is((error as { code?: string }).code, 'ETL_ERR_CSV_MALFORMED')
  t.throws(() => parseCsv('a"b\n'), { message: /quote appears inside an unquoted field/ })
})

test('csv: every value round-trips through the encoder and the decoder, whatever the chunking', async (t) => {
  const value = fc.option(fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('', ',', '"', '\n', '\r\n', '\t', '\\.', 'NULL', ' ')), { nil: null })
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(value, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 7 }), async (rows, cut) => {
      const width = rows[0]!.length
      const table = rows.map((row) => Array.from({ length: width }, (_, i) => row[i] ?? null))
      const bytes = Buffer.from(await encode(table, Array.from({ length: width }, (_, i) => `c${i}`)))
      const chunks: Buffer[] = []
      for (let i = 0; i < bytes.length; i += cut) chunks.push(bytes.subarray(i, i + cut))
      const decoded = await decode(chunks)
      t.deepEqual(decoded.slice(1), table)
    }),
    { numRuns: 150 },
  )
})

test('csv: splitCsvHeader returns the column names and the data bytes untouched', async (t) => {
  const { columns, body } = await splitCsvHeader(Readable.from(['i', 'd,"na', 'me"\n1,', 'x\n']))
  t.deepEqual(columns, ['id', 'name'])
  let rest = ''
  for await (const chunk of body) rest += chunk
  t.is(rest, '1,x\n')
  await t.throwsAsync(splitCsvHeader(Readable.from([])), { message: /is empty/ })
})

test('csv: csvChunks cuts only at record boundaries, never inside a quoted line break', async (t) => {
  const text = 'a,"x\ny"\nb,"p\nq"\nc,z\n'
  t.is(lastRecordEnd(Buffer.from('1,"a\nb')), 0)
  const pieces: string[] = []
  const bytes = Buffer.from(text)
  const input = Array.from({ length: Math.ceil(bytes.length / 4) }, (_, i) => bytes.subarray(i * 4, i * 4 + 4))
  for await (const piece of csvChunks(Readable.from(input), 3)) pieces.push(Buffer.concat(piece).toString())
  t.is(pieces.join(''), text)
  for (const piece of pieces) t.true(piece.endsWith('\n') && parseCsv(piece).length > 0)
  t.true(pieces.length > 1)
})

test('csv: csvChunks pieces hold whole records however the stream is chunked, with quotes and line breaks split across chunks', async (t) => {
  const field = fc.oneof(fc.constant(null), fc.constantFrom('', '"', '""', '\n', '\r\n', 'a,b', 'x"\ny', '"\n"'), fc.string({ maxLength: 6 }))
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 40 }), async (records, sizes, target) => {
      const text = records.map((record) => encodeCsvRecord(record) + '\n').join('')
      const bytes = Buffer.from(text)
      const chunks: Buffer[] = []
      for (let at = 0, i = 0; at < bytes.length; i++) {
        const size = sizes[i % sizes.length] as number
        chunks.push(bytes.subarray(at, at + size))
        at += size
      }
      const pieces: string[] = []
      for await (const piece of csvChunks(Readable.from(chunks), target)) pieces.push(Buffer.concat(piece).toString())
      t.is(pieces.join(''), text)
      t.deepEqual(pieces.flatMap((piece) => parseCsv(piece)), parseCsv(text))
      t.true(pieces.every((piece) => piece.length > 0))
    }),
    { numRuns: 300 },
  )
})

test('csv: backslashes, \\. and \\N, quotes, CR and CRLF, the empty string and NULL read back exactly as written', (t) => {
  const record = ['\\.', '\\N', '\\', '\\Zürich', `'"",\r`, '\r\n', '', null, 'a\n\\.\nb', '\r\n\\.\r\n', '-15650325821761905911.1553533670', '1989-09-10 09:29:12.570443']
  const line = encodeCsvRecord(record)
  t.is(line.split(',')[0], '"\\."', 'the COPY end-of-data marker is quoted')
  t.deepEqual(parseCsv(line + '\n'), [record])
})
