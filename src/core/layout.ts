import path from 'node:path'

/** Where markers live. Relative paths are resolved against the working directory when used. */
export interface Layout {
  /** Output markers: `<outputDir>/<Family>/<taskId>.json`. @defaultValue 'output' */
  outputDir: string
  /** Per-item completion markers of looping tasks: `<completedDir>/<Family>/<taskId>/<item>.json`. @defaultValue 'completed' */
  completedDir: string
}

const DEFAULT_LAYOUT: Layout = Object.freeze({ outputDir: 'output', completedDir: 'completed' })
let current: Layout = DEFAULT_LAYOUT

/** Sets the marker folders for this process (the CLI does it once, from the config). */
export function setLayout(layout: Partial<Layout>): void {
  current = Object.freeze({ ...DEFAULT_LAYOUT, ...layout })
}

/** The marker folders as absolute paths. */
export function getLayout(): Layout {
  return { outputDir: path.resolve(current.outputDir), completedDir: path.resolve(current.completedDir) }
}
