import path from 'node:path'
import { EtlError, LocalTarget, getLayout, param, parseCsv, runSqlFolder, sql, type CompletionContext, type Database, type TaskContext } from 'etl'
import { REPORT_TABLE, REPORTS_SQL_DIR, SUPPORT } from './pipeline.js'
import { SupportFacts } from './support-dw.js'

const REPORT = 'team_performance'

/** The report's columns, in the file's order. */
const COLUMNS = [
  'team',
  'year',
  'month',
  'cases',
  'assigned',
  'resolved',
  'avg_assign_hours',
  'median_assign_hours',
  'avg_response_hours',
  'median_response_hours',
  'avg_resolve_hours',
  'median_resolve_hours',
  'p90_resolve_hours',
  'response_within_sla_pct',
  'resolve_within_sla_pct',
] as const

/** What the report file is read from. */
const REPORT_QUERY = `select ${COLUMNS.join(', ')} from ${REPORT_TABLE} order by team, year, month`

/** The refresh's bounds when every month is recomputed: every calendar key, the -1 row's month (-1 * 100 - 1) too. */
const EVERY_MONTH = { from_key: -1, to_key: 99_991_231, from_month: -999_999, to_month: 999_999 }

/** How the report file is written: everything a receiving tool might need to differ. */
export interface ReportFormat {
  readonly delimiter: string
  readonly quote: string
  readonly lineTerminator: string
  readonly header: boolean
}

/** The report's parameters. */
const ReportStep = SUPPORT.Step.with({
  fileName: param.string({ default: `${REPORT}.csv`, description: 'the file name under output/reports/' }),
  delimiter: param.string({ default: ',', description: 'the field delimiter (one character; "\\t" for a tab)' }),
  quote: param.string({ default: '"', description: 'the quote character (one character)' }),
  lineTerminator: param.enum(['crlf', 'lf'], { default: 'crlf', description: 'line ends: CRLF (RFC 4180) or LF' }),
  header: param.bool({ default: true, description: 'write the column names first' }),
  rebuild: param.bool({ default: false, description: 'rebuild the support DW first (SupportFacts --rebuild), then recompute every month' }),
})

/**
 * The team performance report: per team and month, cases, average and median hours to assign,
 * respond and resolve, and the share within SLA, kept in `support_dw.team_performance` and written
 * to `output/reports/<fileName>` atomically. `sql/support/reports/team_performance/` recomputes the
 * months whose cases the sequence touched (every month the first time), so a periodic merge pays
 * for the months it changed. The file's format comes from the parameters
 * (or `tasks.TeamPerformanceReport.*` in the config). Delete the file and this step runs again.
 */
export class TeamPerformanceReport extends ReportStep {
  /** A bad file name or format is refused when the task is made, before anything runs. */
  constructor(...args: ConstructorParameters<typeof ReportStep>) {
    super(...args)
    reportFormat(this.params)
    this.report()
  }

  static override readonly description = 'write the team performance report (output/reports/team_performance.csv)'

  override requires() {
    return new SupportFacts({ rebuild: this.params.rebuild })
  }

  report(): LocalTarget {
    if (path.basename(this.params.fileName) !== this.params.fileName || this.params.fileName === '') {
      throw new EtlError('ETL_ERR_PARAM_INVALID', `TeamPerformanceReport: fileName "${this.params.fileName}" must be a file name, not a path; the report goes to output/reports/`)
    }
    return new LocalTarget(path.join(getLayout().outputDir, 'reports', this.params.fileName))
  }

  override output() {
    return [this.marker(), this.report()]
  }

  override async complete(ctx?: CompletionContext): Promise<boolean> {
    return (await super.complete(ctx)) && (await this.report().exists())
  }

  override async run(ctx: TaskContext) {
    const current = await SUPPORT.running(ctx)
    const format = reportFormat(this.params)
    const warehouse = await ctx.db(SUPPORT.warehouse)
    const months = this.params.rebuild ? EVERY_MONTH : await monthsToRefresh(warehouse, current.seq)
    if (months) await runSqlFolder(warehouse, path.join(REPORTS_SQL_DIR, REPORT), { exec_seq: current.seq, ...months }, (file) => ctx.progress(`running ${file}.sql`))
    const unloaded = warehouse.unloadToUri && ctx.lake.location.startsWith('s3://') ? await unloadedRecords(ctx, warehouse, REPORT_QUERY, current.seq) : undefined
    const records = unloaded ?? (await queriedRecords(warehouse, REPORT_QUERY))
    await this.report().write(formatRecords(format.header ? records : records.slice(1), format))
    return SUPPORT.result(current, { rows: records.length - 1, file: this.report().path, unloaded: unloaded !== undefined })
  }
}

/** The format the parameters ask for, or an error naming the parameter and the fix. */
export function reportFormat(params: { delimiter: string; quote: string; lineTerminator: string; header: boolean }): ReportFormat {
  const delimiter = params.delimiter === '\\t' ? '\t' : params.delimiter
  const invalid = (message: string) => new EtlError('ETL_ERR_PARAM_INVALID', `TeamPerformanceReport: ${message}`)
  if ([...delimiter].length !== 1 || /[\r\n]/.test(delimiter)) throw invalid(`delimiter "${params.delimiter}" must be one character other than a line break (or "\\t" for a tab)`)
  if ([...params.quote].length !== 1 || params.quote === delimiter || /[\r\n]/.test(params.quote)) throw invalid(`quote "${params.quote}" must be one character, other than the delimiter and a line break`)
  return { delimiter, quote: params.quote, lineTerminator: params.lineTerminator === 'lf' ? '\n' : '\r\n', header: params.header }
}

/**
 * The months whose report rows the sequence changed: those its touched cases (`staging.case_facts`
 * rows of the sequence) were created in, as calendar keys and YYYYMM bounds; every month when the
 * report table is new or empty; undefined when the sequence touched no case.
 */
async function monthsToRefresh(warehouse: Database, seq: number): Promise<Record<string, number> | undefined> {
  const kept = (await warehouse.tableExists(REPORT_TABLE)) && (await warehouse.query(`select 1 as found from ${REPORT_TABLE} limit 1`)).rows.length > 0
  if (!kept) return EVERY_MONTH
  const { rows } = await warehouse.query(sql`select min(created_date) as lo, max(created_date) as hi from staging.case_facts where exec_seq = ${seq}`)
  const [lo, hi] = [rows[0]?.lo, rows[0]?.hi].map((value) => (value == null ? undefined : yearMonth(value)))
  if (lo === undefined || hi === undefined) return undefined
  return { from_key: lo * 100 + 1, to_key: hi * 100 + 31, from_month: lo, to_month: hi }
}

/** YYYYMM of a timestamp as the drivers give it (text, or a Date). */
function yearMonth(value: unknown): number {
  const text = value instanceof Date ? value.toISOString() : String(value)
  return Number(text.slice(0, 4)) * 100 + Number(text.slice(5, 7))
}

/** The report's records, header first, asked of the warehouse. */
async function queriedRecords(warehouse: Database, query: string): Promise<unknown[][]> {
  const result = await warehouse.query(query)
  return [[...result.columns], ...result.rows.map((row) => result.columns.map((column) => row[column]))]
}

/**
 * The report's records, header first, from the warehouse's own export to the lake (Redshift's
 * UNLOAD: the rows never pass through the Data API) under `support/reports/exec_seq=<n>/`, read back
 * from the objects it wrote, in order.
 */
async function unloadedRecords(ctx: TaskContext, warehouse: Database, query: string, seq: number): Promise<unknown[][]> {
  const prefix = `support/reports/exec_seq=${seq}/${REPORT}_`
  for (const old of await ctx.lake.list(prefix)) await ctx.lake.delete(old.key)
  await warehouse.unloadToUri!(query, ctx.lake.uri(prefix))
  const records: unknown[][] = []
  for (const object of await ctx.lake.list(prefix)) {
    const chunks: Buffer[] = []
    for await (const chunk of await ctx.lake.get(object.key)) chunks.push(Buffer.from(chunk as Buffer))
    const [header, ...rows] = parseCsv(Buffer.concat(chunks).toString('utf8')).filter((record) => record.length > 1 || record[0])
    if (records.length === 0 && header) records.push(header)
    records.push(...rows)
  }
  return records
}

/** The records as the report's file: each field quoted only where it must be. */
function formatRecords(records: readonly (readonly unknown[])[], format: ReportFormat): string {
  return records.map((values) => values.map((value) => field(value, format)).join(format.delimiter) + format.lineTerminator).join('')
}

/** One field: quoted when it holds the delimiter, the quote or a line break (the quote doubled inside). */
function field(value: unknown, format: ReportFormat): string {
  if (value === null || value === undefined) return ''
  const text = value instanceof Date ? value.toISOString() : String(value)
  const needsQuotes = text.includes(format.delimiter) || text.includes(format.quote) || /[\r\n]/.test(text)
  return needsQuotes ? `${format.quote}${text.split(format.quote).join(format.quote + format.quote)}${format.quote}` : text
}
