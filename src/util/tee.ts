import { PassThrough, type Readable } from 'node:stream'

/**
 * Splits one byte stream into two that each see every chunk, at the pace of the slower: the source is
 * read only as fast as both live branches take its chunks, so memory stays at a few chunks per
 * branch. A branch its consumer destroys (it failed, or stopped reading) is dropped and the other goes
 * on; an error in the source destroys both branches with it.
 */
export function tee(source: Readable | AsyncIterable<Buffer | string>): [PassThrough, PassThrough] {
  const branches: [PassThrough, PassThrough] = [new PassThrough(), new PassThrough()]
  // A consumer not yet reading when the source fails still gets the error when it reads: a
  // destroyed stream keeps it. Without a listener meanwhile, the error would crash the process.
  for (const branch of branches) branch.on('error', () => undefined)
  void pump(source, branches)
  return branches
}

async function pump(source: Readable | AsyncIterable<Buffer | string>, branches: readonly PassThrough[]): Promise<void> {
  try {
    for await (const chunk of source) {
      const live = branches.filter((branch) => !branch.destroyed)
      // Both branches gone: leaving the loop stops the source rather than read it for nobody.
      if (live.length === 0) break
      const full = live.filter((branch) => !branch.write(chunk))
      await Promise.all(full.map(drained))
    }
    for (const branch of branches) if (!branch.destroyed) branch.end()
  } catch (error) {
    for (const branch of branches) branch.destroy(error as Error)
  }
}

/** Resolves when the branch wants more, or when it is gone and will never want any. */
function drained(branch: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      branch.off('drain', done)
      branch.off('close', done)
      resolve()
    }
    branch.on('drain', done)
    branch.on('close', done)
  })
}
