import fs from 'node:fs'
import path from 'node:path'
import { JOB_FILE, readJobFile } from './read-job-file.js'

/** The folder `etl run <job name>` looks for job files in. */
export const JOBS_DIR = 'jobs'

/**
 * The job file under `dir` for a task family given on the command line: the job's own name
 * (`SupportLoad`) or one of its steps' (`SupportLoad.staging`). A file named after the job
 * (`SupportLoad.yaml`) is taken at once; otherwise the files whose `name` says so. Undefined when
 * there is none (the family is then looked for among the task module's).
 */
export function findJobFile(family: string, dir: string = JOBS_DIR): string | undefined {
  const name = family.split('.', 1)[0]!
  const folder = path.resolve(dir)
  let files: string[]
  try {
    files = fs.readdirSync(folder).filter((file) => JOB_FILE.test(file)).sort()
  } catch {
    return undefined
  }
  const named = files.find((file) => file.replace(JOB_FILE, '') === name)
  if (named) return path.join(folder, named)
  for (const file of files) {
    try {
      const raw = readJobFile(path.join(folder, file)) as { name?: unknown } | null
      if (raw?.name === name) return path.join(folder, file)
    } catch {
      // A file that does not parse is not this job; running it by its path reports what is wrong.
    }
  }
  return undefined
}
