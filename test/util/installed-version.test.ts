import fs from 'node:fs'
import test from 'ava'
import { installedVersion } from '../../src/util/installed-version.js'

const manifest = (name: string) => JSON.parse(fs.readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }

test('installed-version: a package’s version is read from its package.json, even when its exports hide it', (t) => {
  t.is(installedVersion('@electric-sql/pglite'), manifest('@electric-sql/pglite').version)
  t.is(installedVersion('esbuild'), manifest('esbuild').version)
})
