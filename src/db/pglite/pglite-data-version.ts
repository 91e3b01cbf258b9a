import fs from 'node:fs'
import path from 'node:path'
import { writeFileAtomic } from '../../core/atomic-file.js'

/**
 * A data version for an embedded database that can be read without opening it (opening PGlite costs
 * about half a second): a fast "nothing changed" check needs it.
 *
 * Every write takes a transaction id, so a session that took none changed nothing. When a session
 * closes, its version is kept if it wrote nothing and replaced by a new one if it did; the version is
 * stored next to the checkpoint position the clean shutdown left in `global/pg_control`. Any other opening of the folder (another tool, a crash, recovery) moves that
 * position, so the stored version no longer matches and the version is unknown: callers must look.
 */
export const DATA_VERSION_FILE = 'etl-data-version.json'

/** `DB_SHUTDOWNED` in pg_control's `state`: the last session closed cleanly. */
const CLEAN_SHUTDOWN = 1
/** ControlFileData offsets (unchanged from Postgres 13 through 18): version, state, checkpoint LSN. */
const CONTROL_VERSION_OFFSET = 8
const STATE_OFFSET = 16
const CHECKPOINT_OFFSET = 32
const KNOWN_CONTROL_VERSIONS = new Set([1300, 1700, 1800])

interface StoredVersion {
  readonly version: string
  readonly checkpoint: string
}

/** The folder's data version, or undefined when it cannot be vouched for. Never opens the database. */
export function readDataVersion(dataDir: string): string | undefined {
  const checkpoint = cleanCheckpoint(dataDir)
  if (checkpoint === undefined) return undefined
  const stored = readStored(dataDir)
  return stored?.checkpoint === checkpoint ? stored.version : undefined
}

/** Records `version` as the folder's, after a session closed cleanly. */
export async function recordDataVersion(dataDir: string, version: string): Promise<void> {
  const checkpoint = cleanCheckpoint(dataDir)
  const file = path.join(dataDir, DATA_VERSION_FILE)
  if (checkpoint === undefined) {
    await fs.promises.rm(file, { force: true })
    return
  }
  const stored: StoredVersion = { version, checkpoint }
  await writeFileAtomic(file, `${JSON.stringify(stored)}\n`)
}

/** The checkpoint position a clean shutdown left, or undefined (in use, crashed, unknown layout). */
function cleanCheckpoint(dataDir: string): string | undefined {
  let control: Buffer
  try {
    control = fs.readFileSync(path.join(dataDir, 'global', 'pg_control'))
  } catch {
    return undefined
  }
  if (control.length < CHECKPOINT_OFFSET + 8) return undefined
  // PGlite is WebAssembly, which is little-endian whatever the host.
  if (!KNOWN_CONTROL_VERSIONS.has(control.readUInt32LE(CONTROL_VERSION_OFFSET))) return undefined
  if (control.readUInt32LE(STATE_OFFSET) !== CLEAN_SHUTDOWN) return undefined
  return control.readBigUInt64LE(CHECKPOINT_OFFSET).toString(16)
}

function readStored(dataDir: string): StoredVersion | undefined {
  try {
    const stored = JSON.parse(fs.readFileSync(path.join(dataDir, DATA_VERSION_FILE), 'utf8')) as Partial<StoredVersion>
    return typeof stored.version === 'string' && typeof stored.checkpoint === 'string' ? (stored as StoredVersion) : undefined
  } catch {
    return undefined
  }
}
