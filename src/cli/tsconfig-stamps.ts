import fs from 'node:fs'
import path from 'node:path'
import { contentStamp } from './bundle-cache.js'

/** The files esbuild looks for in each folder, nearest first, to learn how to compile a file there. */
const CONFIG_NAMES = ['tsconfig.json', 'jsconfig.json'] as const
/** `"extends": "./base.json"` or `["./a.json", "./b.json"]`: the relative ones, which are the project's own. */
const EXTENDS = /"extends"\s*:\s*(\[[^\]]*\]|"[^"]*")/

/**
 * Adds to `stamps` the compiler configs the bundle of `inputs` was built under: for the folder of each
 * input and every folder above it, up to the first that has one, each config name's {@link contentStamp}
 * (or `missing`), and the relative files a config extends. A cached bundle is then rebuilt when a
 * config is edited, created nearer to a source, or removed, as esbuild would read it anew.
 */
export function addConfigStamps(stamps: Map<string, string>, inputs: Iterable<string>): void {
  const seen = new Set<string>()
  for (const input of inputs) {
    for (let dir = path.dirname(input); !seen.has(dir); dir = path.dirname(dir)) {
      seen.add(dir)
      const found = CONFIG_NAMES.map((name) => stampConfig(stamps, path.join(dir, name))).some(Boolean)
      if (found || path.dirname(dir) === dir) break
    }
  }
}

/** Stamps one config and what it extends; true when the config exists. */
function stampConfig(stamps: Map<string, string>, file: string, depth = 0): boolean {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    stamps.set(file, 'missing')
    return false
  }
  stamps.set(file, contentStamp(text))
  const match = EXTENDS.exec(text)
  // A chain deeper than this is a loop.
  if (match && depth < 8) {
    for (const target of extendedFiles(match[1]!)) {
      if (!target.startsWith('.')) continue // a package's config: pinned by the lockfile
      const resolved = path.resolve(path.dirname(file), target)
      stampConfig(stamps, resolved.endsWith('.json') ? resolved : `${resolved}.json`, depth + 1)
    }
  }
  return true
}

function extendedFiles(value: string): string[] {
  try {
    const targets = JSON.parse(value) as unknown
    return (Array.isArray(targets) ? targets : [targets]).filter((target): target is string => typeof target === 'string')
  } catch {
    return [] // not plain JSON there: esbuild will say so
  }
}
