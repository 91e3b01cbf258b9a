import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { BuildOptions, Plugin } from 'esbuild'
import { installedVersion } from '../util/installed-version.js'
import { BundleCache, contentStamp } from './bundle-cache.js'
import { nodeConditions } from './node-conditions.js'
import { addConfigStamps } from './tsconfig-stamps.js'
import { writeBundleFile } from './private-bundle-file.js'

/**
 * What shapes a bundle besides its sources and the build options (which are hashed themselves): the
 * plugins' behaviour. Change it whenever a plugin changes what it emits.
 */
const PLUGINS_RECIPE = 'packages-by-url v3, file-scoped-import-meta v2'

/** What `import.meta` gives a module about itself, kept pointing at its own source file once bundled. */
const FILE_SCOPED = {
  'import.meta.url': (file: string) => pathToFileURL(file).href,
  'import.meta.filename': (file: string) => file,
  'import.meta.dirname': (file: string) => path.dirname(file),
} as const

/**
 * Imports a TypeScript module with no build step. The module and the files it imports are bundled
 * with esbuild (packages stay imports, by absolute URL), written to this user's private folder for
 * the moment of the import, and removed: the way Vite loads `vite.config.ts`, but nothing is ever
 * written beside the user's sources, so a read-only task folder works and a killed run leaves no
 * litter there. A global loader hook (tsx) would route every later import of the run through a hook
 * thread, which costs a no-op `etl run` about 0.2 s.
 */
export async function importTypeScript(file: string): Promise<Record<string, unknown>> {
  const bundled = await writeBundleFile(await bundle(file))
  try {
    mapStackTraces()
    return (await import(pathToFileURL(bundled).href)) as Record<string, unknown>
  } finally {
    await fs.rm(bundled, { force: true })
  }
}

/**
 * Turns on Node's source maps, so a stack through the bundle names the user's file and line, not the
 * temporary bundle. Node reads a module's map when it loads it (the bundle's is inline, so its
 * removal after the import does not matter), which is why this comes before the import, and not
 * at start as `--enable-source-maps` does: only the modules loaded from here on have their maps
 * read: about 60 of the 180 maps of etl's own modules that a no-op `etl run` loads.
 */
function mapStackTraces(): void {
  if (!process.sourceMapsEnabled) process.setSourceMapsEnabled(true)
}

/** The module bundled: from the cache while its sources, their tsconfig and the build options are unchanged, else by esbuild. */
async function bundle(file: string): Promise<string> {
  const options = bundleOptions(file, nodeConditions())
  // Asking the installed version, not esbuild itself: a cache hit never loads esbuild.
  const cache = new BundleCache(file, bundleRecipe(options, installedVersion('esbuild')))
  const cached = cache.get()
  if (cached !== undefined) return cached
  const [{ build }, { packageImportsPlugin }] = await Promise.all([import('esbuild'), import('./package-imports-plugin.js')])
  // The contents each file had when esbuild read it: what the bundle was built from.
  const stamps = new Map<string, string>()
  // The import.meta modules resolve before packages are looked up: their specifiers look like URLs, which that plugin leaves to Node.
  const result = await build({ ...options, plugins: [fileScopedImportMeta(stamps), packageImportsPlugin(stamps)] })
  const code = result.outputFiles[0]!.text
  // Every input went through the plugin; one that did not (another loader) is read now.
  // The import.meta modules are made from the paths alone, which their files' stamps already cover.
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !input.startsWith(`${META_NAMESPACE}:`))
    .map((input) => path.resolve(input))
  for (const input of inputs) {
    if (!stamps.has(input)) stamps.set(input, contentStamp(await fs.readFile(input).catch(() => Buffer.from('missing'))))
  }
  addConfigStamps(stamps, inputs)
  cache.put(stamps, code)
  return code
}

/** esbuild's options for bundling `file`, all but the plugins (which hold the build's own state). @internal */
export function bundleOptions(file: string, conditions: string[]): Omit<BuildOptions, 'plugins'> & { write: false; metafile: true } {
  return {
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    // What Node resolves packages with, so each package is the file Node would load (see the plugin).
    conditions,
    mainFields: ['main'],
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    sourcemap: 'inline',
    // The map's sources are relative to the output file, which is never written: naming it beside
    // the entry and that folder as the map's sourceRoot makes them absolute file URLs, so stacks name
    // the user's real files from wherever the bundle is loaded, and from any working folder.
    outfile: path.join(path.dirname(file), 'bundle.mjs'),
    sourceRoot: `${pathToFileURL(path.dirname(file)).href}/`,
    logLevel: 'silent',
    // Task families are class names: bundling must not rename a class (esbuild would, to _WriteReports).
    keepNames: true,
    define: Object.fromEntries(Object.keys(FILE_SCOPED).map((name) => [name, variableFor(name)])),
  }
}

/**
 * The bundle cache's recipe: esbuild's version, the plugins' and a hash of the build options
 * themselves, so an option changed in this file can never serve a bundle built with the old one. @internal
 */
export function bundleRecipe(options: Omit<BuildOptions, 'plugins'>, esbuildVersion: string): string {
  const hash = createHash('sha256').update(JSON.stringify(options)).digest('hex').slice(0, 16)
  return `esbuild ${esbuildVersion}, ${PLUGINS_RECIPE}, options ${hash}`
}

/** The namespace of the small modules that hold one source file's `import.meta` values. */
const META_NAMESPACE = 'etl-file-meta'

/**
 * Each source file that uses `import.meta` imports its own values, which `define` points at, from a
 * small module of constants. The import goes after the file's last line: imports are hoisted, so it
 * works from anywhere, and every line and column of the source stays where it was for the source
 * map (constants put before the first line would shift its columns). The contents each file had
 * are stamped into `stamps`.
 */
function fileScopedImportMeta(stamps: Map<string, string>): Plugin {
  return {
    name: 'file-scoped-import-meta',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${META_NAMESPACE}:`) }, (args) => ({ path: args.path.slice(META_NAMESPACE.length + 1), namespace: META_NAMESPACE }))
      build.onLoad({ filter: /.*/, namespace: META_NAMESPACE }, (args) => ({
        contents: Object.entries(FILE_SCOPED).map(([name, value]) => `export const ${variableFor(name)} = ${JSON.stringify(value(args.path))};`).join('\n'),
        loader: 'js',
      }))
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        const contents = await fs.readFile(args.path, 'utf8')
        stamps.set(path.resolve(args.path), contentStamp(contents))
        // A file without import.meta (a CommonJS one among them) is left exactly as it is.
        if (!contents.includes('import.meta')) return { contents, loader: loaderFor(args.path) }
        const names = Object.keys(FILE_SCOPED).map(variableFor).join(', ')
        return { contents: `${contents}\n;import { ${names} } from ${JSON.stringify(`${META_NAMESPACE}:${args.path}`)}\n`, loader: loaderFor(args.path) }
      })
    },
  }
}

function variableFor(name: string): string {
  return `__etl_${name.replaceAll('.', '_')}`
}

function loaderFor(file: string): 'ts' | 'tsx' | 'js' | 'jsx' {
  const extension = path.extname(file).replace(/^\.[cm]?/, '')
  return extension === 'tsx' || extension === 'jsx' || extension === 'js' ? extension : 'ts'
}
