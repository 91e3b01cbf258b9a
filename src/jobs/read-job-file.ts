import fs from 'node:fs'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { EtlError } from '../errors.js'

/** The file names a job may have. */
export const JOB_FILE = /\.(json|ya?ml)$/i

/** How messages name a file: relative to the working folder when it is below it. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file)
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file
}

/**
 * The raw content of a job file: JSON (`.json`) or YAML (`.yaml`, `.yml`). A missing file, another
 * extension or text that does not parse is an error naming the file and the fix.
 */
export function readJobFile(file: string): unknown {
  const shown = shownPath(file)
  if (!JOB_FILE.test(file)) {
    throw new EtlError('ETL_ERR_JOB_UNREADABLE', `${shown}: a job file is .json, .yaml or .yml; rename it`)
  }
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'it does not exist' : `it cannot be read (${code ?? (error as Error).message})`
    throw new EtlError('ETL_ERR_JOB_UNREADABLE', `job file ${shown}: ${why}; check the path (etl run --job jobs/<file>.yaml, or etl run <job name> for a file under jobs/)`, { cause: error })
  }
  try {
    return /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text)
  } catch (error) {
    const message = ((error as Error).message ?? String(error)).split('\n', 1)[0]
    throw new EtlError('ETL_ERR_JOB_UNREADABLE', `job file ${shown} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${message}; fix it`, { cause: error })
  }
}
