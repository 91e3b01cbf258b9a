import { CompletionMarkers, DataServices, createLogger, type TaskContext } from 'etl'

/** A log that keeps its lines, for tests that read what a task logged. */
export function collectingLogger(): { log: TaskContext['log']; lines: string[] } {
  const lines: string[] = []
  const log = createLogger({ level: 'debug', format: 'json', write: (line) => lines.push(line) })
  return { log, lines }
}

/**
 * What the worker hands a running task, for calling a task's hooks or `run` directly: the given
 * data services (embedded defaults otherwise), a signal, and a log that keeps its lines.
 */
export function taskContext(options: { data?: DataServices; signal?: AbortSignal } = {}): TaskContext & { lines: string[] } {
  const data = options.data ?? new DataServices()
  const { log, lines } = collectingLogger()
  return {
    signal: options.signal ?? new AbortController().signal,
    log,
    lines,
    attempt: 1,
    completed: new CompletionMarkers('Test', 'test'),
    db: (name) => data.database(name),
    get lake() {
      return data.lake()
    },
    data,
    progress: () => {},
    require: async (requirements) => requirements,
  }
}
