import { randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setLayout } from 'etl'

/** A fresh temp folder, removed by the caller's `t.teardown` or left for the OS. */
export async function tempDir(prefix = 'etl-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix))
}

/**
 * Points output/ and completed/ at a temp folder for this test file. Layout is process-wide and ava runs
 * a file's tests concurrently, so tests also give their tasks a unique `tag` parameter.
 */
export async function useTempLayout(): Promise<{ outputDir: string; completedDir: string; root: string }> {
  const root = await tempDir()
  const layout = { outputDir: path.join(root, 'output'), completedDir: path.join(root, 'completed') }
  setLayout(layout)
  return { ...layout, root }
}

/** A unique value for a task parameter, so concurrent tests never share markers. */
export function uniqueTag(): string {
  return randomUUID().slice(0, 8)
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file)
    return true
  } catch {
    return false
  }
}
