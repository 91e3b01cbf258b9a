import { randomBytes } from 'node:crypto'
import path from 'node:path'

/**
 * `.<name>.tmp-<pid>-<8 hex>-<n>`: hidden, its writer's pid, then a part nobody can guess. The two
 * earlier schemes (`-<n>` alone, `-<8 hex>` alone) are recognised too: a lake may still hold what a
 * killed run of an older etl left.
 */
const TEMP_NAME = /^\..+\.tmp-(\d+)-(?:[0-9a-f]{8}-\d+|\d+|[0-9a-f]{8})$/

/** Random per process, so another user cannot guess a temp name and plant a link at it first. */
const processPart = randomBytes(4).toString('hex')
let counter = 0

/**
 * The temp file to write `file`'s bytes to before renaming it into place: a hidden sibling (the same
 * folder, so the rename never crosses a file system), unique per process and write. Every atomic
 * write in etl names its temp file here, so {@link isTempName} knows them all: a listing skips them,
 * and the pid says whether their writer is still at it. Create it exclusively (`wx`): an existing
 * name, link or not, is never written through.
 */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${processPart}-${counter++}`)
}

/** True for a name {@link tempPathFor} makes: a half-written file, never a real one. */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name)
}

/** The pid of the process that writes (or, killed, wrote) the temp file `name`; undefined for other names. */
export function tempWriter(name: string): number | undefined {
  const match = TEMP_NAME.exec(name)
  return match ? Number(match[1]) : undefined
}
