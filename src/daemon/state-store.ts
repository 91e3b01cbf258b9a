import fs from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import { EtlError } from '../errors.js'
import { removeAbandonedFiles } from '../core/abandoned-files.js'
import { tempPathFor, tempWriter } from '../core/temp-name.js'
import { silentLogger } from '../util/logger.js'
import { isProcessAlive } from '../util/process-alive.js'

/** A piece of the daemon's state that the store saves: the scheduler, the schedules. */
export interface StatePart {
  /** The part's whole state as JSON-able data. */
  snapshot(): unknown
  /** Replaces the part's state with a snapshot read back. */
  restore(data: unknown): void
  /** Applies one op read back from the journal. */
  replay(op: unknown): void
}

export interface StateStoreOptions {
  /** The folder of `state.json`, `journal.ndjson` and the lock. */
  dir: string
  /** Compacts (writes a snapshot, empties the journal) once the journal is larger than this and the last snapshot. @defaultValue 16 MiB */
  compactBytes?: number
  logger?: Logger
  /** Asked before compacting; false puts it off (the run history still has writes in flight). */
  canCompact?: () => boolean
}

/** How the store came back at start. */
export interface StateRecovery {
  /** True when a snapshot was read; false on a first start. */
  fromSnapshot: boolean
  /** Journal ops applied on top of the snapshot. */
  replayed: number
}

const SNAPSHOT_FILE = 'state.json'
const JOURNAL_FILE = 'journal.ndjson'
const LOCK_FILE = 'daemon.lock'
const DEFAULT_COMPACT_BYTES = 16 * 1024 * 1024

/** Before one temp-name scheme: `state.json.tmp-<pid>`. */
const OLD_SNAPSHOT_TEMP = /^state\.json\.tmp-(\d+)$/

/** The writer of a snapshot temp file, in today's naming or the one before it. */
function snapshotTempWriter(name: string): number | undefined {
  const old = OLD_SNAPSHOT_TEMP.exec(name)
  return old ? Number(old[1]) : name.startsWith(`.${SNAPSHOT_FILE}.`) ? tempWriter(name) : undefined
}

/** Folders a store of this process holds: the lock file's pid cannot tell two stores of one process apart. */
const heldHere = new Set<string>()

interface SnapshotFile {
  version: 1
  /** The last journal sequence number the snapshot includes; older journal lines are skipped. */
  seq: number
  savedAt: string
  parts: Record<string, unknown>
}

/**
 * The daemon's durable state: a snapshot written atomically (temp file, fsync, rename) plus a journal
 * of every op since, appended synchronously before the change is acknowledged. A daemon killed at any
 * point comes back with every acknowledged change: it reads the snapshot and replays the journal. A
 * torn last journal line (the kill came mid-write) was never acknowledged and is dropped.
 */
export class StateStore {
  readonly dir: string
  readonly #parts = new Map<string, StatePart>()
  readonly #logger: Logger
  readonly #compactBytes: number
  readonly #canCompact: () => boolean
  #fd: number | undefined
  #seq = 0
  #journalBytes = 0
  #snapshotBytes = 0

  constructor(options: StateStoreOptions) {
    this.dir = path.resolve(options.dir)
    this.#logger = options.logger ?? silentLogger()
    this.#compactBytes = options.compactBytes ?? DEFAULT_COMPACT_BYTES
    this.#canCompact = options.canCompact ?? (() => true)
  }

  register(name: string, part: StatePart): void {
    this.#parts.set(name, part)
  }

  /** Takes the folder's lock, restores every part and replays the journal, then compacts. */
  open(): StateRecovery {
    fs.mkdirSync(this.dir, { recursive: true })
    this.#lock()
    // A daemon killed mid-snapshot left its temp file; under the lock, no one else is writing one.
    removeAbandonedFiles(this.dir, snapshotTempWriter)
    const snapshot = this.#readSnapshot()
    if (snapshot) {
      this.#seq = snapshot.seq
      for (const [name, part] of this.#parts) if (name in snapshot.parts) part.restore(snapshot.parts[name])
    }
    const replayed = this.#replayJournal(snapshot?.seq ?? 0)
    this.#fd = fs.openSync(this.#path(JOURNAL_FILE), 'a')
    this.compact()
    return { fromSnapshot: snapshot !== undefined, replayed }
  }

  /** A journal for one part: `append` writes the op before returning. */
  journal(name: string): { append(op: unknown): void } {
    return { append: (op) => this.append(name, op) }
  }

  append(part: string, op: unknown): void {
    if (this.#fd === undefined) return
    this.#seq += 1
    const line = `${JSON.stringify({ seq: this.#seq, part, op })}\n`
    fs.writeSync(this.#fd, line)
    this.#journalBytes += Buffer.byteLength(line)
  }

  /** Compacts when the journal has grown past the threshold; the daemon's timer calls it. */
  maybeCompact(): void {
    if (this.#journalBytes > Math.max(this.#compactBytes, this.#snapshotBytes) && this.#canCompact()) this.compact()
  }

  /** Writes every part's snapshot atomically and empties the journal. */
  compact(): void {
    if (this.#fd === undefined) return
    const file: SnapshotFile = { version: 1, seq: this.#seq, savedAt: new Date().toISOString(), parts: {} }
    for (const [name, part] of this.#parts) file.parts[name] = part.snapshot()
    const text = JSON.stringify(file)
    const target = this.#path(SNAPSHOT_FILE)
    const temp = tempPathFor(target)
    const fd = fs.openSync(temp, 'wx', 0o600)
    try {
      fs.writeSync(fd, text)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(temp, target)
    // Journal lines up to `seq` are in the snapshot now; a crash before this truncation only leaves
    // lines that replay skips by their sequence number.
    fs.ftruncateSync(this.#fd, 0)
    this.#journalBytes = 0
    this.#snapshotBytes = text.length
  }

  /** Compacts one last time and releases the lock. */
  close(): void {
    if (this.#fd === undefined) return
    try {
      this.compact()
    } finally {
      fs.closeSync(this.#fd)
      this.#fd = undefined
      fs.rmSync(this.#path(LOCK_FILE), { force: true })
      heldHere.delete(this.dir)
    }
  }

  /** Stops as a killed daemon would: no last snapshot, the lock file left behind. For tests. @internal */
  abandon(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd)
    this.#fd = undefined
    heldHere.delete(this.dir)
  }

  #path(name: string): string {
    return path.join(this.dir, name)
  }

  #lock(): void {
    const file = this.#path(LOCK_FILE)
    if (heldHere.has(this.dir)) throw this.#locked(process.pid)
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' })
      heldHere.add(this.dir)
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = Number(fs.readFileSync(file, 'utf8').trim())
    if (Number.isInteger(holder) && holder !== process.pid && isProcessAlive(holder)) throw this.#locked(holder)
    // The holder died without cleaning up (killed): its lock is stale.
    fs.writeFileSync(file, String(process.pid))
    heldHere.add(this.dir)
  }

  #locked(holder: number): EtlError {
    return new EtlError(
      'ETL_ERR_DAEMON_STATE_LOCKED',
      `another scheduler daemon (pid ${holder}) is using the state folder ${this.dir}; stop it, or give this one its own --state-dir`,
    )
  }

  #readSnapshot(): SnapshotFile | undefined {
    let text: string
    try {
      text = fs.readFileSync(this.#path(SNAPSHOT_FILE), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
    try {
      const file = JSON.parse(text) as SnapshotFile
      if (file.version !== 1) throw new Error(`unknown version ${String(file.version)}`)
      this.#snapshotBytes = text.length
      return file
    } catch (error) {
      throw new EtlError(
        'ETL_ERR_DAEMON_STATE_UNREADABLE',
        `the scheduler state ${this.#path(SNAPSHOT_FILE)} cannot be read (${(error as Error).message}); move the folder away to start with an empty state`,
        { cause: error },
      )
    }
  }

  #replayJournal(after: number): number {
    let text: string
    try {
      text = fs.readFileSync(this.#path(JOURNAL_FILE), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0
      throw error
    }
    const lines = text.split('\n')
    let replayed = 0
    for (const [index, line] of lines.entries()) {
      if (!line) continue
      let entry: { seq: number; part: string; op: unknown }
      try {
        entry = JSON.parse(line) as typeof entry
      } catch (error) {
        if (index >= lines.length - 2) break // the torn last line of a daemon killed mid-write
        throw new EtlError(
          'ETL_ERR_DAEMON_STATE_UNREADABLE',
          `line ${index + 1} of ${this.#path(JOURNAL_FILE)} is not JSON; move the folder away to start with an empty state`,
          { cause: error },
        )
      }
      if (entry.seq <= after) continue
      this.#seq = entry.seq
      const part = this.#parts.get(entry.part)
      if (!part) continue
      try {
        part.replay(entry.op)
        replayed += 1
      } catch (error) {
        this.#logger.warn({ err: error, seq: entry.seq }, `could not replay journal entry ${entry.seq}; skipped`)
      }
    }
    return replayed
  }
}
