import fs from 'node:fs'
import { isBuiltin } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Plugin } from 'esbuild'
import { contentStamp } from './bundle-cache.js'

/** Marks the resolve this plugin asks esbuild for, so that it does not answer itself. */
const INNER = Symbol('package-imports-plugin')

/**
 * Leaves packages out of the bundle, as `packages: 'external'` would, but imports each one by the
 * absolute URL of the file it resolves to from the importing source. The bundle is then free to be
 * loaded from any folder (it is, from this user's private one) and still gets the very files, and so
 * the very module instances, that Node would give the source where it is: `etl` above all, whose
 * task registry must be the CLI's. esbuild resolves as Node does when given Node's conditions and
 * main fields (see `nodeConditions`). Each package file imported, and its package.json, is stamped
 * into `stamps`, so a cached bundle is not reused once a package is upgraded or moved.
 *
 * A bare import that is no package from where it stands (a tsconfig `paths` alias) is bundled, as
 * before; one that does not resolve is left as written, for Node to report at import as before.
 */
export function packageImportsPlugin(stamps: Map<string, string>): Plugin {
  return {
    name: 'package-imports',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === INNER) return undefined
        // Builtins and URLs (node:, data:, file:) mean the same from anywhere.
        if (isBuiltin(args.path) || /^[a-z][a-z0-9+.-]+:/i.test(args.path) || path.isAbsolute(args.path)) return { path: args.path, external: true }
        const result = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: INNER })
        if (result.errors.length > 0) return { path: args.path, external: true }
        const folder = packageFolder(packageName(args.path), args.resolveDir)
        if (folder === undefined || !result.path.startsWith(`${folder}${path.sep}`)) return undefined
        stamp(stamps, result.path)
        stamp(stamps, path.join(folder, 'package.json'))
        return { path: pathToFileURL(result.path).href, external: true }
      })
    },
  }
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

/**
 * The real folder of package `name` as Node finds it from `dir`: the nearest package.json naming
 * itself `name` with `exports` (a self-reference), else the first `node_modules/<name>` up the tree.
 */
function packageFolder(name: string, dir: string): string | undefined {
  const self = nearestManifest(dir)
  if (self && self.manifest.name === name && self.manifest.exports !== undefined) return fs.realpathSync(self.dir)
  for (let at = dir; ; at = path.dirname(at)) {
    const candidate = path.join(at, 'node_modules', name)
    if (fs.existsSync(candidate)) return fs.realpathSync(candidate)
    if (path.dirname(at) === at) return undefined
  }
}

function nearestManifest(dir: string): { dir: string; manifest: { name?: string; exports?: unknown } } | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    try {
      return { dir: at, manifest: JSON.parse(fs.readFileSync(path.join(at, 'package.json'), 'utf8')) as { name?: string; exports?: unknown } }
    } catch {
      if (path.dirname(at) === at) return undefined
    }
  }
}

function stamp(stamps: Map<string, string>, file: string): void {
  if (stamps.has(file)) return
  try {
    stamps.set(file, contentStamp(fs.readFileSync(file)))
  } catch {
    stamps.set(file, 'missing')
  }
}
