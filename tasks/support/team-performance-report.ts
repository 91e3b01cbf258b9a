import path from 'node:path'
import { EtlError, LocalTarget, getLayout, param, parseCsv, readSqlFiles, type CompletionContext, type Database, type TaskContext } from 'etl'
import { REPORTS_SQL_DIR, SUPPORT } from './pipeline.js'
import { SupportFacts } from './support-dw.js'

const REPORT = 'team_performance'

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
})

/**
 * The team performance report: per team and month, cases, average and median hours to assign,
 * respond and resolve, and the share within SLA (`sql/support/reports/team_performance*.sql`),
 * written to `output/reports/<fileName>` atomically. The file's format comes from the parameters
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
    return new SupportFacts()
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
    const query = await reportQuery(warehouse)
    const unloaded = warehouse.unloadToUri && ctx.lake.location.startsWith('s3://') ? await unloadedRecords(ctx, warehouse, query, current.seq) : undefined
    const records = unloaded ?? (await queriedRecords(warehouse, query))
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

/** The report's query, in the warehouse's variant. */
async function reportQuery(warehouse: Database): Promise<string> {
  const [file] = (await readSqlFiles(REPORTS_SQL_DIR, warehouse.sqlFlavours)).filter((found) => found.name === REPORT)
  if (!file) throw new Error(`no ${REPORT}.sql in ${REPORTS_SQL_DIR}`)
  return file.statements.join(';\n')
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
