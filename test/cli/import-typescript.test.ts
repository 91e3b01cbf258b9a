import fs from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import test from 'ava'
import { bundleOptions, bundleRecipe, importTypeScript } from '../../src/cli/import-typescript.js'
import { tempDir } from '../helpers/sandbox.js'

async function project(t: { teardown(fn: () => Promise<void>): void }, files: Record<string, string>): Promise<string> {
  const dir = await tempDir('etl-ts-')
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true })
    await fs.writeFile(path.join(dir, name), text)
  }
  return dir
}

test('import-typescript: a task module and the files it imports each keep their own import.meta', async (t) => {
  const dir = await project(t, {
    'tasks/index.ts': `export { here } from './lib/where.js'\nexport const self: string = import.meta.url\nexport const folder: string = import.meta.dirname\n`,
    'tasks/lib/where.ts': `export const here: string = import.meta.url\n`,
  })
  const exports = await importTypeScript(path.join(dir, 'tasks', 'index.ts'))
  t.is(exports.self, pathToFileURL(path.join(dir, 'tasks', 'index.ts')).href)
  t.is(exports.folder, path.join(dir, 'tasks'))
  t.is(exports.here, pathToFileURL(path.join(dir, 'tasks', 'lib', 'where.ts')).href)
})

test('import-typescript: nothing is left beside the module after it is imported, even when it throws', async (t) => {
  const dir = await project(t, { 'tasks/index.ts': `throw new Error('broken at import')\n` })
  await t.throwsAsync(importTypeScript(path.join(dir, 'tasks', 'index.ts')), { message: 'broken at import' })
  t.deepEqual(await fs.readdir(path.join(dir, 'tasks')), ['index.ts'])
})

test('import-typescript: a syntax error names the file and the line', async (t) => {
  const dir = await project(t, { 'tasks/index.ts': `export const ok = 1\nexport const broken: number = \n` })
  const error = await t.throwsAsync(importTypeScript(path.join(dir, 'tasks', 'index.ts')))
  t.regex(error.message, /tasks\/index\.ts:3:0: ERROR: Unexpected end of file/)
})

test('import-typescript: classes keep their names (task families are class names), even ones that refer to themselves', async (t) => {
  const dir = await project(t, {
    'tasks/index.ts': `export class WriteReports {\n  static file(name: string) { return WriteReports.name + '/' + name }\n}\nexport class Plain {}\n`,
  })
  const exports = (await importTypeScript(path.join(dir, 'tasks', 'index.ts'))) as { WriteReports: { name: string; file(n: string): string }; Plain: { name: string } }
  t.is(exports.WriteReports.name, 'WriteReports')
  t.is(exports.WriteReports.file('x'), 'WriteReports/x')
  t.is(exports.Plain.name, 'Plain')
})

test('import-typescript: a file edited since the last run is bundled again, never served stale from the cache', async (t) => {
  const dir = await project(t, {
    'tasks/index.ts': `export { value } from './lib.js'\n`,
    'tasks/lib.ts': `export const value: number = 1\n`,
  })
  const entry = path.join(dir, 'tasks', 'index.ts')
  t.is((await importTypeScript(entry)).value, 1)
  t.is((await importTypeScript(entry)).value, 1, 'the cached bundle')
  await fs.writeFile(path.join(dir, 'tasks', 'lib.ts'), `export const value: number = 2\n`)
  t.is((await importTypeScript(entry)).value, 2)
})

test('import-typescript: a bundle is built again when the tsconfig.json it was compiled under is created, edited or removed', async (t) => {
  // Whether an import used for its side effect alone is kept is the tsconfig's say
  // (verbatimModuleSyntax): the side module counts its runs in a global.
  const counter = `__etlSideRuns_${path.basename(await tempDir('etl-ts-tag-'))}`.replace(/[^\w]/g, '_')
  const dir = await project(t, {
    'tasks/index.ts': `import { unused } from './side.js'\nexport const runs: number = ((globalThis as Record<string, unknown>).${counter} as number) ?? 0\n`,
    'tasks/side.ts': `export const unused = 1\n;(globalThis as Record<string, unknown>).${counter} = (((globalThis as Record<string, unknown>).${counter} as number) ?? 0) + 1\n`,
  })
  const entry = path.join(dir, 'tasks', 'index.ts')
  const tsconfig = path.join(dir, 'tsconfig.json')
  t.is((await importTypeScript(entry)).runs, 0, 'without a tsconfig, the unused import is dropped')
  await fs.writeFile(tsconfig, '{ "compilerOptions": { "verbatimModuleSyntax": true } }\n')
  t.is((await importTypeScript(entry)).runs, 1, 'a tsconfig created above the sources: rebuilt, and the import kept')
  await fs.writeFile(tsconfig, '{ "compilerOptions": { "verbatimModuleSyntax": false } }\n')
  t.is((await importTypeScript(entry)).runs, 1, 'the tsconfig edited: rebuilt, and the import dropped again')
  await fs.writeFile(path.join(dir, 'base.json'), '{ "compilerOptions": { "verbatimModuleSyntax": true } }\n')
  await fs.writeFile(tsconfig, '{ "extends": "./base.json" }\n')
  t.is((await importTypeScript(entry)).runs, 2, 'a tsconfig that extends another')
  await fs.writeFile(path.join(dir, 'base.json'), '{ "compilerOptions": { "verbatimModuleSyntax": false } }\n')
  t.is((await importTypeScript(entry)).runs, 2, 'the config it extends edited')
  await fs.writeFile(path.join(dir, 'base.json'), '{ "compilerOptions": { "verbatimModuleSyntax": true } }\n')
  t.is((await importTypeScript(entry)).runs, 3)
  await fs.rm(tsconfig)
  t.is((await importTypeScript(entry)).runs, 3, 'the tsconfig removed')
})

test('import-typescript: every build option is part of the bundle cache key, and so is the esbuild version', (t) => {
  const options = bundleOptions('/project/tasks/index.ts', ['node', 'import'])
  const recipe = bundleRecipe(options, '0.25.0')
  t.is(bundleRecipe(bundleOptions('/project/tasks/index.ts', ['node', 'import']), '0.25.0'), recipe, 'the same options, the same key')
  t.not(bundleRecipe(options, '0.25.1'), recipe)
  for (const name of Object.keys(options) as (keyof typeof options)[]) {
    const changed = { ...options, [name]: name === 'bundle' || name === 'keepNames' ? !options[name] : `other ${JSON.stringify(options[name])}` }
    t.not(bundleRecipe(changed, '0.25.0'), recipe, `a change to ${name} changes the key`)
  }
})
