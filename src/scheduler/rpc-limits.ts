/**
 * How much the scheduler daemon accepts from one worker call. Each has a key of the same name in the
 * config's `scheduler` section; a call over one is refused with HTTP 413 and a message naming the key.
 * Workers shape what they send to stay well under the defaults (see `report-fitting`), so only a
 * lowered limit, or something that is not an etl worker, ever meets them.
 */
export interface RpcLimits {
  /** Bytes in one request body. */
  maxRequestBytes: number
  /** Tasks registered plus the dependencies they name, per `addTasks` call; ids asked about per `taskStatuses` call. */
  maxTasksPerCall: number
  /** Characters in one task parameter's name or value. */
  maxParamChars: number
  /** Characters in an error's message, and in its stack. */
  maxErrorChars: number
  /** Bytes of a task's result, as JSON. */
  maxResultBytes: number
}

/**
 * Defaults, with room for every legitimate worker: a 100,000-task graph (a wrapper requiring all of it
 * is one 6 MB record; workers send at most 2,000 records and about 4 MB per call), stacks of any depth
 * (workers cut them to 16,000 characters), results of a few thousand values.
 */
export const RPC_LIMIT_DEFAULTS: Readonly<RpcLimits> = Object.freeze({
  maxRequestBytes: 16 * 1024 * 1024,
  maxTasksPerCall: 500_000,
  maxParamChars: 16_384,
  maxErrorChars: 65_536,
  maxResultBytes: 1024 * 1024,
})

/** Levels of nesting of a request body, a task's result included: enough for any result, and a fixed limit. */
export const MAX_JSON_DEPTH = 64

/** Log lines per `taskLog` call and per `taskFinished`; a worker sends at most 200. */
export const MAX_LOG_LINES_PER_CALL = 10_000

/** The config key of each limit, for the messages that name it. */
export function limitSetting(name: keyof RpcLimits): string {
  return `scheduler.${name}`
}
