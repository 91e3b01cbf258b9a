import fs from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import { EtlError } from '../errors.js'
import { removeAbandonedFiles } from '../core/abandoned-files.js'
import { writeFileAtomicSync } from '../core/atomic-file.js'
import { syncFileSync } from '../core/durable-fs.js'
import { tempWriter } from '../core/temp-name.js'
import { silentLogger } from '../util/logger.js'
import { isProcessAlive } from '../util/process-alive.js'
import { sealJson } from './sealed-json.js'
import { readJournal, readSnapshot, type JournalEntry, type JournalRead, type SnapshotFile, type SnapshotRead } from './state-files.js'

/** A piece of the daemon's state that the store saves: the scheduler, the schedules. */
export interface StatePart {
  /** The part's whole state as JSON-able data. */
  snapshot(): unknown
  /** Replaces the part's state with a snapshot read back (already checked by `checkSnapshot`). */
  restore(data: unknown): void
  /** Applies one op read back from the journal (already checked by `checkOp`). */
  replay(op: unknown): void
  /** What is wrong with a snapshot of this part read back, or undefined when it can be restored. */
  checkSnapshot?(data: unknown): string | undefined
  /** What is wrong with an op read back, or undefined when it can be replayed. */
  checkOp?(op: unknown): string | undefined
}

export interface StateStoreOptions {
  /** The folder of `state.json`, `journal.ndjson` and the lock. */
  dir: string
  /** Compacts (writes a snapshot, empties the journal) once the journal is larger than this and the last snapshot. @defaultValue 16 MiB */
  compactBytes?: number
  logger?: Logger
  /** Asked before compacting; false puts it off (the run history still has writes in flight). */
  canCompact?: () => boolean
  /**
   * Starts from what is intact when a piece of the state is damaged or missing, rather than refusing to
   * start (`etl scheduler --recover`): what is lost is said, and the damaged files are kept aside.
   */
  recover?: boolean
}

/** How the store came back at start. */
export interface StateRecovery {
  /** True when a snapshot was read; false on a first start. */
  fromSnapshot: boolean
  /** Journal ops applied on top of the snapshot. */
  replayed: number
  /** What `recover` could not keep, one sentence each; empty when the state was whole. */
  lost: string[]
  /** The damaged files `recover` copied aside before rewriting the state. */
  keptAside: string[]
}

const SNAPSHOT_FILE = 'state.json'
const JOURNAL_FILE = 'journal.ndjson'
const LOCK_FILE = 'daemon.lock'
const DEFAULT_COMPACT_BYTES = 16 * 1024 * 1024
/** Problems listed in the message that refuses to start; the rest are counted. */
const MAX_LISTED_PROBLEMS = 8

/** Before one temp-name scheme: `state.json.tmp-<pid>`. */
const OLD_SNAPSHOT_TEMP = /^state\.json\.tmp-(\d+)$/

/** The writer of a snapshot temp file, in today's naming or the one before it. */
function snapshotTempWriter(name: string): number | undefined {
  const old = OLD_SNAPSHOT_TEMP.exec(name)
  return old ? Number(old[1]) : name.startsWith(`.${SNAPSHOT_FILE}.`) ? tempWriter(name) : undefined
}

/** Folders a store of this process holds: the lock file's pid cannot tell two stores of one process apart. */
const heldHere = new Set<string>()

/** What open() will restore and replay, what is wrong, and what recovering from it loses. */
interface Assessment {
  base: SnapshotFile | undefined
  ops: JournalEntry[]
  problems: string[]
  lost: string[]
}

/**
 * The daemon's durable state: a snapshot written atomically (temp file, fsync, rename, folder fsync)
 * plus a journal of every op since, appended and synced to the disk before the change is applied and
 * acknowledged. A daemon killed at any point, or a machine that loses power, comes back with every
 * acknowledged change: it reads the snapshot and replays the journal. A torn last journal line (the kill came mid-write) was never acknowledged and is dropped.
 *
 * The snapshot and every journal line carry a checksum and a version, and the journal's first line
 * names the snapshot it follows. A piece that is damaged, missing or out of step (a deleted
 * `state.json`, an edited line, an older copy of the snapshot) stops the start with a message naming
 * the file and the way out, `--recover`, which rebuilds from what is intact and says what was lost.
 */
export class StateStore {
  readonly dir: string
  readonly #parts = new Map<string, StatePart>()
  readonly #logger: Logger
  readonly #compactBytes: number
  readonly #canCompact: () => boolean
  readonly #recover: boolean
  #fd: number | undefined
  #seq = 0
  #journalBytes = 0
  #snapshotBytes = 0

  constructor(options: StateStoreOptions) {
    this.dir = path.resolve(options.dir)
    this.#logger = options.logger ?? silentLogger()
    this.#compactBytes = options.compactBytes ?? DEFAULT_COMPACT_BYTES
    this.#canCompact = options.canCompact ?? (() => true)
    this.#recover = options.recover ?? false
  }

  register(name: string, part: StatePart): void {
    this.#parts.set(name, part)
  }

  /**
   * Takes the folder's lock, checks the snapshot and the journal, restores every part and replays the
   * journal, then compacts. Nothing is written before every piece has been found whole (or, with
   * `recover`, before the damaged files have been copied aside).
   */
  open(): StateRecovery {
    fs.mkdirSync(this.dir, { recursive: true })
    this.#lock()
    try {
      return this.#open()
    } catch (error) {
      this.#unlock()
      throw error
    }
  }

  /** A journal for one part: `append` writes the op before returning. */
  journal(name: string): { append(op: unknown): void } {
    return { append: (op) => this.append(name, op) }
  }

  /**
   * Writes one op to the journal, whole or not at all: a write that fails (a full disk) is cut back off
   * the file and thrown as `ETL_ERR_DAEMON_STATE_WRITE_FAILED`, and the caller does not apply the op.
   */
  append(part: string, op: unknown): void {
    if (this.#fd === undefined) return
    const seq = this.#seq + 1
    let line: string
    try {
      line = `${sealJson(JSON.stringify({ v: 2, seq, part, op }), 'sum').text}\n`
    } catch (error) {
      throw new EtlError('ETL_ERR_DAEMON_STATE_WRITE_FAILED', `the change cannot be written to the journal (${(error as Error).message}); it was not made`, { cause: error })
    }
    try {
      writeFully(this.#fd, line)
      // Acknowledged means on disk: the caller applies the op (and answers the worker) once this returns.
      syncFileSync(this.#fd, this.#path(JOURNAL_FILE))
    } catch (error) {
      this.#cutBack()
      throw new EtlError(
        'ETL_ERR_DAEMON_STATE_WRITE_FAILED',
        `the daemon could not write the change to its journal ${this.#path(JOURNAL_FILE)} (${(error as Error).message}); it was not made: free space on that disk or fix the folder's permissions (workers try again meanwhile)`,
        { cause: error },
      )
    }
    this.#seq = seq
    this.#journalBytes += Buffer.byteLength(line)
  }

  /** Compacts when the journal has grown past the threshold; the daemon's timer calls it. */
  maybeCompact(): void {
    if (this.#journalBytes > Math.max(this.#compactBytes, this.#snapshotBytes) && this.#canCompact()) this.compact()
  }

  /** Writes every part's snapshot atomically and starts the journal again after it. */
  compact(): void {
    if (this.#fd === undefined) return
    const parts: Record<string, unknown> = {}
    for (const [name, part] of this.#parts) parts[name] = part.snapshot()
    const { text, digest } = sealJson(JSON.stringify({ version: 2, seq: this.#seq, savedAt: new Date().toISOString(), parts }), 'sha256')
    // Exclusively, and private: a temp file someone else planted is never written through. A full
    // disk leaves the old snapshot and the whole journal; only the half-written copy goes.
    writeFileAtomicSync(this.#path(SNAPSHOT_FILE), text, 0o600)
    // Journal lines up to `seq` are in the snapshot now; a crash before this truncation only leaves
    // lines that replay skips by their sequence number.
    fs.ftruncateSync(this.#fd, 0)
    this.#journalBytes = 0
    this.#snapshotBytes = text.length
    // Without this line (a crash, a full disk) the journal is still right: only the check that the
    // snapshot is the one it follows is lost.
    const header = `${sealJson(JSON.stringify({ v: 2, after: this.#seq, snapshot: digest }), 'sum').text}\n`
    try {
      writeFully(this.#fd, header)
      syncFileSync(this.#fd, this.#path(JOURNAL_FILE))
    } catch (error) {
      this.#cutBack()
      throw error
    }
    this.#journalBytes = Buffer.byteLength(header)
  }

  /**
   * Compacts one last time and releases the lock. A last snapshot that cannot be written is logged, not
   * thrown: the journal still holds every change, and the next start replays it.
   */
  close(): void {
    if (this.#fd === undefined) return
    try {
      this.compact()
    } catch (error) {
      this.#logger.error({ err: error }, `the last snapshot could not be written to ${this.#path(SNAPSHOT_FILE)}; ${this.#path(JOURNAL_FILE)} is kept, and the next start replays it`)
    } finally {
      fs.closeSync(this.#fd)
      this.#fd = undefined
      this.#unlock()
    }
  }

  /** Stops as a killed daemon would: no last snapshot, the lock file left behind. For tests. @internal */
  abandon(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd)
    this.#fd = undefined
    heldHere.delete(this.dir)
  }

  #open(): StateRecovery {
    // A daemon killed mid-snapshot left its temp file; under the lock, no one else is writing one.
    removeAbandonedFiles(this.dir, snapshotTempWriter)
    const snapshot = readSnapshot(this.#path(SNAPSHOT_FILE))
    const journal = readJournal(this.#path(JOURNAL_FILE))
    if (journal.status === 'present' && journal.torn) this.#logger.info(`the last line of ${this.#path(JOURNAL_FILE)} was cut short by a crash; it was never acknowledged, and is dropped`)
    const assessment = this.#assess(snapshot, journal)
    if (assessment.problems.length > 0 && !this.#recover) throw this.#damaged(assessment.problems)
    const keptAside = assessment.problems.length > 0 ? this.#keepAside() : []
    const initial = new Map([...this.#parts].map(([name, part]) => [name, part.snapshot()]))
    const replayed = this.#rebuild(assessment, initial, keptAside)
    this.#seq = lastSeq(assessment, journal)
    this.#fd = fs.openSync(this.#path(JOURNAL_FILE), 'a')
    this.compact()
    for (const lost of assessment.lost) this.#logger.warn(`recovering the scheduler state: lost ${lost}`)
    if (keptAside.length > 0) this.#logger.warn(`recovering the scheduler state: the damaged files were kept as ${keptAside.join(' and ')}`)
    return { fromSnapshot: assessment.base !== undefined, replayed, lost: assessment.lost, keptAside }
  }

  /** Decides what to restore and replay, and lists every piece that is damaged, missing or out of step. */
  #assess(snapshot: SnapshotRead, journal: JournalRead): Assessment {
    const snapshotFile = this.#path(SNAPSHOT_FILE)
    const journalFile = this.#path(JOURNAL_FILE)
    const problems: string[] = []
    const lost: string[] = []
    let base = snapshot.status === 'missing' ? undefined : snapshot.file
    if (snapshot.status === 'damaged') {
      problems.push(`${snapshotFile} ${snapshot.problem}`)
      lost.push(base ? `certainty about ${snapshotFile}: it does not match its checksum, and was used as it reads` : `the snapshot ${snapshotFile}: the state from before the journal's first change`)
    }
    if (journal.status === 'missing') {
      if (snapshot.status !== 'missing') {
        problems.push(`${journalFile} is missing: the changes made since ${snapshotFile} was saved${base ? ` (${base.savedAt})` : ''} are gone`)
        lost.push(`any change made after the snapshot${base ? ` of ${base.savedAt}` : ''}`)
      }
      return { base: this.#usableBase(base, problems, lost), ops: [], problems, lost }
    }
    const header = journal.header
    if (snapshot.status === 'missing') {
      problems.push(`${snapshotFile} is missing, but ${journalFile} is there${header ? `, following a snapshot of change ${header.after}` : ''}: the state from before the journal would be lost`)
      lost.push(`the snapshot ${snapshotFile}${header ? `: every change up to ${header.after}` : ''}`)
    }
    if (base && header && header.after > base.seq) {
      problems.push(`${snapshotFile} (up to change ${base.seq}) is older than the snapshot ${journalFile} follows (up to change ${header.after}): a copy of an older one?`)
      lost.push(`changes ${base.seq + 1} to ${header.after}`)
    } else if (base && header && header.after === base.seq && snapshot.status === 'intact' && snapshot.digest !== undefined && snapshot.digest !== header.snapshot) {
      problems.push(`${snapshotFile} is not the snapshot ${journalFile} follows: their checksums differ`)
      lost.push(`certainty about ${snapshotFile}: it is not the snapshot the journal follows`)
    }
    base = this.#usableBase(base, problems, lost)
    for (const problem of journal.problems) {
      problems.push(`line ${problem.line} of ${journalFile}${problem.seq !== undefined ? ` (change ${problem.seq})` : ''} ${problem.reason}`)
      lost.push(`line ${problem.line} of the journal${problem.seq !== undefined ? ` (change ${problem.seq})` : ''}`)
    }
    const damaged = new Set(journal.problems.map((problem) => problem.seq).filter((seq) => seq !== undefined))
    return { base, ops: this.#usableOps(journal.entries, base?.seq ?? header?.after, damaged, problems, lost), problems, lost }
  }

  /** The snapshot, with each part's piece checked; a part whose piece has the wrong shape starts empty. */
  #usableBase(base: SnapshotFile | undefined, problems: string[], lost: string[]): SnapshotFile | undefined {
    if (!base) return undefined
    const parts: Record<string, unknown> = {}
    for (const [name, data] of Object.entries(base.parts)) {
      const part = this.#parts.get(name)
      const problem = part ? part.checkSnapshot?.(data) : undefined
      if (problem === undefined) {
        parts[name] = data
        continue
      }
      problems.push(`the "${name}" part of ${this.#path(SNAPSHOT_FILE)} has the wrong shape (${problem})`)
      lost.push(`the "${name}" part of the snapshot`)
    }
    return { ...base, parts }
  }

  /** The entries after the snapshot, in order and without gaps, each naming a known part with an op of the right shape. */
  #usableOps(entries: readonly JournalEntry[], after: number | undefined, damaged: ReadonlySet<number>, problems: string[], lost: string[]): JournalEntry[] {
    const journalFile = this.#path(JOURNAL_FILE)
    const ops: JournalEntry[] = []
    let expected = after === undefined ? undefined : after + 1
    for (const entry of entries) {
      if (after !== undefined && entry.seq <= after) continue
      // A damaged line already accounts for its own change.
      while (expected !== undefined && damaged.has(expected)) expected += 1
      if (expected !== undefined && entry.seq !== expected) {
        const gap = entry.seq > expected ? `changes ${expected} to ${entry.seq - 1} are missing before it` : `it repeats or goes back (change ${expected} was next)`
        problems.push(`line ${entry.line} of ${journalFile} (change ${entry.seq}) is out of step: ${gap}`)
        if (entry.seq > expected) lost.push(`changes ${expected} to ${entry.seq - 1}`)
      }
      expected = Math.max(expected ?? 0, entry.seq + 1)
      const part = this.#parts.get(entry.part)
      const problem = part ? part.checkOp?.(entry.op) : `names a part "${entry.part}" this daemon does not keep`
      if (problem !== undefined) {
        problems.push(`line ${entry.line} of ${journalFile} (change ${entry.seq}) ${part ? `has the wrong shape (${problem})` : problem}`)
        lost.push(`line ${entry.line} of the journal (change ${entry.seq})`)
        continue
      }
      ops.push(entry)
    }
    return ops
  }

  /**
   * Restores the snapshot and replays the ops. An op that cannot be applied may have changed a part
   * half way: without `recover` the start stops; with it, everything is rebuilt again from the snapshot
   * without that op, as many times as it takes.
   */
  #rebuild(assessment: Assessment, initial: ReadonlyMap<string, unknown>, keptAside: string[]): number {
    const skipped = new Set<number>()
    for (;;) {
      for (const [name, part] of this.#parts) part.restore(assessment.base && name in assessment.base.parts ? assessment.base.parts[name] : initial.get(name))
      let replayed = 0
      let failed: { entry: JournalEntry; error: unknown } | undefined
      for (const entry of assessment.ops) {
        if (skipped.has(entry.seq)) continue
        try {
          this.#parts.get(entry.part)!.replay(entry.op)
          replayed += 1
        } catch (error) {
          failed = { entry, error }
          break
        }
      }
      if (!failed) return replayed
      const where = `line ${failed.entry.line} of ${this.#path(JOURNAL_FILE)} (change ${failed.entry.seq})`
      if (!this.#recover) throw this.#damaged([`${where} could not be applied: ${(failed.error as Error).message}`])
      this.#logger.warn({ err: failed.error }, `${where} could not be applied; rebuilding without it`)
      skipped.add(failed.entry.seq)
      assessment.lost.push(`line ${failed.entry.line} of the journal (change ${failed.entry.seq}), which could not be applied`)
      if (keptAside.length === 0) keptAside.push(...this.#keepAside())
    }
  }

  #damaged(problems: readonly string[]): EtlError {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => `\n  - ${problem}`)
    const more = problems.length > MAX_LISTED_PROBLEMS ? `\n  - and ${problems.length - MAX_LISTED_PROBLEMS} more` : ''
    return new EtlError(
      'ETL_ERR_DAEMON_STATE_DAMAGED',
      `the scheduler state in ${this.dir} is damaged, and the daemon will not start on part of it:${listed.join('')}${more}\n` +
        'Nothing was changed. Restore the folder from a backup, or start with `etl scheduler --recover` to rebuild from what is intact: it says what is lost and keeps the damaged files aside.',
    )
  }

  /** Copies the state files aside, before `recover` rewrites them; returns where they went. */
  #keepAside(): string[] {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    const kept: string[] = []
    for (const name of [SNAPSHOT_FILE, JOURNAL_FILE]) {
      const file = this.#path(name)
      if (!fs.existsSync(file)) continue
      const aside = `${file}.damaged-${stamp}`
      fs.copyFileSync(file, aside)
      kept.push(aside)
    }
    return kept
  }

  /** A failed append may have written part of its line: the file goes back to where it ended before. */
  #cutBack(): void {
    try {
      fs.ftruncateSync(this.#fd!, this.#journalBytes)
    } catch (error) {
      this.#logger.error({ err: error }, `${this.#path(JOURNAL_FILE)} could not be cut back after a failed write; its last line may be torn, and is dropped at the next start`)
    }
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

  #unlock(): void {
    fs.rmSync(this.#path(LOCK_FILE), { force: true })
    heldHere.delete(this.dir)
  }

  #locked(holder: number): EtlError {
    return new EtlError(
      'ETL_ERR_DAEMON_STATE_LOCKED',
      `another scheduler daemon (pid ${holder}) is using the state folder ${this.dir}; stop it, or give this one its own --state-dir`,
    )
  }
}

/** The highest change number seen anywhere, so no new change reuses one. */
function lastSeq(assessment: Assessment, journal: JournalRead): number {
  let seq = Math.max(assessment.base?.seq ?? 0, journal.status === 'present' ? (journal.header?.after ?? 0) : 0)
  if (journal.status === 'present') for (const entry of journal.entries) seq = Math.max(seq, entry.seq)
  return seq
}

/** Writes all of `text`: a write to a file may take less than it was given. */
function writeFully(fd: number, text: string): void {
  const bytes = Buffer.from(text)
  let written = 0
  while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written)
}
