import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The version of an installed package, read from its package.json (which packages' exports often do
 * not expose), found from where the package resolves; `unknown` if it cannot be read. Cheaper than
 * importing the package just to ask it.
 */
export function installedVersion(name: string): string {
  let dir: string
  try {
    dir = path.dirname(fileURLToPath(import.meta.resolve(name)))
  } catch {
    return 'unknown'
  }
  for (;;) {
    const manifest = readManifest(path.join(dir, 'package.json'))
    if (manifest?.name === name && manifest.version) return manifest.version
    const parent = path.dirname(dir)
    if (parent === dir) return 'unknown'
    dir = parent
  }
}

function readManifest(file: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string }
  } catch {
    return undefined
  }
}
