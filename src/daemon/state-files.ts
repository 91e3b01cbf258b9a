import fs from 'node:fs'
import { EtlError } from '../errors.js'
import { unsealJson } from './sealed-json.js'

/** The snapshot as written: version 2 is sealed with a SHA-256; version 1 (older daemons) has none. */
export interface SnapshotFile {
  version: 1 | 2
  /** The last journal sequence number the snapshot includes; older journal lines are skipped. */
  seq: number
  savedAt: string
  parts: Record<string, unknown>
}

/** What reading `state.json` found. */
export type SnapshotRead =
  | { status: 'missing' }
  /** Whole, its checksum matching (or an older daemon's, which had none). */
  | { status: 'intact'; file: SnapshotFile; digest: string | undefined; bytes: number }
  /** Damaged: `file` is set when it still reads (its checksum does not match), so `--recover` can use it. */
  | { status: 'damaged'; problem: string; file: SnapshotFile | undefined }

/** The first line of a version 2 journal: which snapshot the lines after it follow. */
export interface JournalHeader {
  after: number
  snapshot: string
}

/** One change read back from the journal. */
export interface JournalEntry {
  /** Line number in the file, from 1. */
  line: number
  seq: number
  part: string
  op: unknown
}

/** What reading `journal.ndjson` found: the intact entries, and a problem for each line that is not. */
export type JournalRead =
  | { status: 'missing' }
  | {
      status: 'present'
      header: JournalHeader | undefined
      entries: JournalEntry[]
      problems: { line: number; seq: number | undefined; reason: string }[]
      /** A last line cut short by a kill mid-write: never acknowledged, so dropped. */
      torn: boolean
    }

/** Reads and checks the snapshot; a file that cannot be read at all (permissions) is an error of its own. */
export function readSnapshot(file: string): SnapshotRead {
  const text = readText(file)
  if (text === undefined) return { status: 'missing' }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return { status: 'damaged', problem: `is not JSON (${(error as Error).message}): it was cut short or overwritten`, file: undefined }
  }
  const shape = snapshotShape(parsed)
  if (shape) return { status: 'damaged', problem: `has the wrong shape (${shape})`, file: undefined }
  const snapshot = parsed as SnapshotFile
  if (snapshot.version > 2) {
    throw new EtlError('ETL_ERR_DAEMON_STATE_UNREADABLE', `${file} was written by a newer etl (state version ${snapshot.version}); run the daemon of that version, or restore the folder from a backup`)
  }
  if (snapshot.version === 1) return { status: 'intact', file: snapshot, digest: undefined, bytes: text.length }
  const sealed = unsealJson(text, 'sha256')
  if (!sealed) return { status: 'damaged', problem: 'has no checksum, which every snapshot of this version carries', file: snapshot }
  if (!sealed.intact) return { status: 'damaged', problem: 'does not match its checksum: it was changed or cut short after it was written', file: snapshot }
  return { status: 'intact', file: snapshot, digest: sealed.digest, bytes: text.length }
}

/** Reads and checks every journal line: its JSON, its checksum (lines of older daemons have none) and its shape. */
export function readJournal(file: string): JournalRead {
  const text = readText(file)
  if (text === undefined) return { status: 'missing' }
  const lines = text.split('\n')
  // Every acknowledged line ends with a newline: a last piece without one was being written when the daemon died.
  const torn = lines[lines.length - 1] !== ''
  lines.pop()
  let header: JournalHeader | undefined
  const entries: JournalEntry[] = []
  const problems: { line: number; seq: number | undefined; reason: string }[] = []
  for (const [index, text] of lines.entries()) {
    if (text === '') continue
    const read = readLine(text, index === 0)
    if ('header' in read) header = read.header
    // Lines without checksums are an older daemon's, allowed only in a journal it alone wrote.
    else if ('entry' in read) {
      if (read.sealed || header === undefined) entries.push({ line: index + 1, ...read.entry })
      else problems.push({ line: index + 1, seq: read.entry.seq, reason: 'has no checksum' })
    }
    else problems.push({ line: index + 1, seq: read.seq, reason: read.problem })
  }
  return { status: 'present', header, entries, problems, torn }
}

type LineRead = { header: JournalHeader } | { entry: Omit<JournalEntry, 'line'>; sealed: boolean } | { problem: string; seq: number | undefined }

function readLine(text: string, first: boolean): LineRead {
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(text) as Record<string, unknown>
  } catch {
    return { problem: 'is not JSON', seq: undefined }
  }
  if (parsed === null || typeof parsed !== 'object') return { problem: 'is not a journal entry', seq: undefined }
  const seq = Number.isSafeInteger(parsed.seq) && (parsed.seq as number) > 0 ? (parsed.seq as number) : undefined
  if (parsed.v === undefined) {
    // An older daemon's line: no checksum to check.
    return seq !== undefined && typeof parsed.part === 'string' && 'op' in parsed ? { entry: { seq, part: parsed.part, op: parsed.op }, sealed: false } : { problem: 'has the wrong shape', seq }
  }
  const sealed = unsealJson(text, 'sum')
  if (!sealed) return { problem: 'has no checksum', seq }
  if (!sealed.intact) return { problem: 'does not match its checksum', seq }
  if (parsed.v !== 2) return { problem: `has an unknown version ${JSON.stringify(parsed.v)}`, seq }
  if (first && Number.isSafeInteger(parsed.after) && typeof parsed.snapshot === 'string') return { header: { after: parsed.after as number, snapshot: parsed.snapshot } }
  if (seq === undefined || typeof parsed.part !== 'string' || !('op' in parsed)) return { problem: 'has the wrong shape', seq }
  return { entry: { seq, part: parsed.part, op: parsed.op }, sealed: true }
}

function snapshotShape(parsed: unknown): string | undefined {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not an object'
  const file = parsed as Partial<SnapshotFile>
  if (!Number.isSafeInteger(file.version)) return 'no version'
  if (!Number.isSafeInteger(file.seq) || (file.seq as number) < 0) return 'no sequence number'
  if (file.parts === null || typeof file.parts !== 'object' || Array.isArray(file.parts)) return 'no parts'
  return undefined
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new EtlError('ETL_ERR_DAEMON_STATE_UNREADABLE', `the scheduler state ${file} cannot be read (${(error as Error).message}); check the folder's permissions`, { cause: error })
  }
}
