import path from 'node:path'
import type { LakeConfig } from './lake-config.js'
import { LocalStorage } from './local-storage.js'
import { S3Storage } from './s3-storage.js'
import type { Storage } from './storage.js'

/** The lake when the config has no `lake` section: the folder `lake/`. */
export const DEFAULT_LAKE: LakeConfig = Object.freeze({ type: 'local', path: 'lake' })

/** The lake the config describes; relative local paths are taken from `cwd`. */
export function createStorage(config: LakeConfig = DEFAULT_LAKE, cwd = process.cwd()): Storage {
  if (config.type === 's3') return new S3Storage(config)
  return new LocalStorage(path.resolve(cwd, config.path ?? 'lake'))
}
