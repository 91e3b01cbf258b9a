import fs from 'node:fs'
import path from 'node:path'
import type { JsonValue } from '../../core/output-marker.js'
import { getLayout } from '../../core/layout.js'
import { LocalTarget } from '../../core/local-target.js'
import type { DataServices } from '../../db/data-services.js'
import { canonicalJson } from '../../util/canonical-json.js'
import type { CurrentSequence } from './current-sequence.js'

/**
 * What a pipeline's sources looked like when a sequence was found complete, as far as it can be
 * known without opening anything: the source's data version (embedded databases have one), each
 * feed's fingerprint, the tables the dictionaries name, and which warehouse holds the sequence.
 */
export interface SourceSnapshot {
  readonly source: string
  readonly feeds: Readonly<Record<string, JsonValue>>
  readonly tables: readonly string[]
  readonly warehouse: string
}

interface SettledRecord extends SourceSnapshot {
  readonly seq: number
  readonly warehouseId?: string
  readonly unmarkedThrough?: number
  /** The warehouse's data version as the run that settled left it (embedded only): a wiped or replaced warehouse no longer matches. */
  readonly warehouseVersion?: string
}

/** What the settled record needs to know of a pipeline. */
export interface SettledSources {
  readonly name: string
  readonly source: string
  readonly warehouse: string
  readonly tables: readonly string[]
  readonly feeds: readonly { readonly name: string; fingerprint(data: DataServices): JsonValue | Promise<JsonValue> }[]
}

/**
 * A pipeline's settled sequence: the record, beside the output markers, that lets a run know there
 * is nothing new without opening a database (`output/.settled/<pipeline>.json`).
 */
export class SettledSequence {
  readonly #sources: SettledSources

  constructor(sources: SettledSources) {
    this.#sources = sources
  }

  /** The snapshot now, or undefined when the source cannot vouch for its data without being read (a server, or an embedded database something else has opened). */
  async snapshot(data: DataServices): Promise<SourceSnapshot | undefined> {
    const source = await data.dataVersion(this.#sources.source)
    if (source === undefined) return undefined
    const feeds = Object.fromEntries(await Promise.all(this.#sources.feeds.map(async (feed) => [feed.name, await feed.fingerprint(data)] as const)))
    return { source, feeds, tables: [...this.#sources.tables], warehouse: data.describe(this.#sources.warehouse) }
  }

  /**
   * Records that `sequence` is complete and covers everything in `snapshot`: while the snapshot
   * still holds, and the warehouse is as this run leaves it, a run knows there is nothing new.
   */
  async settle(data: DataServices, sequence: CurrentSequence, snapshot: SourceSnapshot): Promise<void> {
    const warehouseVersion = await data.dataVersionOnClose(this.#sources.warehouse)
    const record: SettledRecord = {
      seq: sequence.seq,
      ...snapshot,
      ...(sequence.warehouse === undefined ? {} : { warehouseId: sequence.warehouse }),
      unmarkedThrough: sequence.unmarkedThrough,
      ...(warehouseVersion === undefined ? {} : { warehouseVersion }),
    }
    await new LocalTarget(this.#file()).write(`${JSON.stringify(record, null, 2)}\n`)
  }

  /** The settled sequence, if the snapshot it was recorded with still holds now. */
  async read(data: DataServices): Promise<CurrentSequence | undefined> {
    const record = this.#record()
    if (!record) return undefined
    const now = await this.snapshot(data)
    if (now === undefined || !sameSnapshot(record, now)) return undefined
    if ((await data.dataVersion(this.#sources.warehouse)) !== record.warehouseVersion) return undefined
    return { seq: record.seq, state: 'complete', warehouse: record.warehouseId, unmarkedThrough: record.unmarkedThrough ?? 0 }
  }

  /** Forgets the settled sequence (a new one is starting). */
  forget(): void {
    fs.rmSync(this.#file(), { force: true })
  }

  #record(): SettledRecord | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.#file(), 'utf8')) as SettledRecord
    } catch {
      return undefined
    }
  }

  /** Beside the output markers, so a fresh output folder forgets it with them. */
  #file(): string {
    return path.join(getLayout().outputDir, '.settled', `${this.#sources.name}.json`)
  }
}

function sameSnapshot(a: SourceSnapshot, b: SourceSnapshot): boolean {
  return (
    a.source === b.source &&
    a.warehouse === b.warehouse &&
    canonicalJson(a.feeds ?? null) === canonicalJson(b.feeds) &&
    a.tables.length === b.tables.length &&
    a.tables.every((table, index) => table === b.tables[index])
  )
}
