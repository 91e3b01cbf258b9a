import type { FastifyRequest } from 'fastify'
import { EtlError } from '../errors.js'
import { limitSetting, type RpcLimits } from '../scheduler/rpc-limits.js'
import { RPC_PATH_PREFIX } from '../scheduler/rpc-protocol.js'
import { RPC_METHODS } from '../scheduler/scheduler.js'
import type { AddTasksRequest, TaskError, TaskFinishedRequest, TaskStatusesRequest } from '../scheduler/scheduler.js'

/**
 * Checks a worker's call, already well-formed, against the daemon's limits, before anything of it is
 * applied: a parameter, an error or a result too long, too many tasks in one call. A refusal is HTTP 413
 * and names the part, its size, the limit and the config key that sets it.
 */
export function checkRequestLimits(method: string, body: Record<string, unknown>, limits: RpcLimits): void {
  if (method === 'addTasks') checkAddTasks(body as unknown as AddTasksRequest, limits)
  else if (method === 'taskFinished') checkFinished(body as unknown as TaskFinishedRequest, limits)
  else if (method === 'taskStatuses') checkCount(method, 'task ids', (body as unknown as TaskStatusesRequest).taskIds.length, limits)
}

/**
 * The refusal of a body larger than its route takes, said in the daemon's words rather than the web
 * framework's: the size, the limit, and the setting (workers' calls) or that the limit is fixed.
 */
export function bodyTooLarge(request: FastifyRequest, limits: RpcLimits): EtlError {
  const length = Number(request.headers['content-length'])
  const size = Number.isFinite(length) ? `${length} bytes` : 'larger'
  const limit = request.routeOptions.bodyLimit ?? limits.maxRequestBytes
  const path = request.url.split('?', 1)[0]!
  const route = `${request.method} ${path}`
  const workerCall = RPC_METHODS.some((method) => path === `${RPC_PATH_PREFIX}${method}`)
  const fix = workerCall
    ? `(${limitSetting('maxRequestBytes')}); send less per call, or raise ${limitSetting('maxRequestBytes')} in the config's scheduler section`
    : '(a fixed limit for the UI and its actions)'
  return new EtlError('ETL_ERR_DAEMON_REQUEST_TOO_LARGE', `${route}: the request body is ${size}, over the ${limit} bytes the daemon takes ${fix}`)
}

function checkAddTasks(request: AddTasksRequest, limits: RpcLimits): void {
  let count = request.tasks.length
  for (const record of request.tasks) count += record.deps.length
  checkCount('addTasks', 'tasks and dependencies', count, limits)
  for (const [index, record] of request.tasks.entries()) {
    for (const [name, value] of Object.entries(record.params)) {
      const longer = Math.max(name.length, value.length)
      if (longer > limits.maxParamChars) {
        throw tooLarge(
          'addTasks',
          `tasks.${index}.params.${name.slice(0, 100)} is ${longer} characters long`,
          limits.maxParamChars,
          'characters',
          'maxParamChars',
          'pass a shorter value (a file or table name rather than its contents)',
        )
      }
    }
    if (record.error) checkError('addTasks', `tasks.${index}.error`, record.error, limits)
  }
}

function checkFinished(request: TaskFinishedRequest, limits: RpcLimits): void {
  if (request.error) checkError('taskFinished', 'error', request.error, limits)
  if (request.result === null || request.result === undefined) return
  // The body parser has already bounded the depth, so writing it out is safe.
  const bytes = Buffer.byteLength(JSON.stringify(request.result))
  if (bytes > limits.maxResultBytes) {
    throw tooLarge('taskFinished', `result is ${bytes} bytes of JSON`, limits.maxResultBytes, 'bytes', 'maxResultBytes', 'return a summary (counts, keys, paths) rather than the data; etl workers replace a larger result with a note')
  }
}

function checkError(method: string, where: string, error: TaskError, limits: RpcLimits): void {
  for (const part of ['message', 'stack'] as const) {
    const length = error[part]?.length ?? 0
    if (length > limits.maxErrorChars) {
      throw tooLarge(method, `${where}.${part} is ${length} characters long`, limits.maxErrorChars, 'characters', 'maxErrorChars', 'etl workers cut errors to 8,000 characters and stacks to 16,000: update the worker')
    }
  }
}

function checkCount(method: string, what: string, count: number, limits: RpcLimits): void {
  if (count > limits.maxTasksPerCall) throw tooLarge(method, `${count} ${what} in one call`, limits.maxTasksPerCall, '', 'maxTasksPerCall', 'send fewer per call (etl workers send 2,000 at a time)')
}

function tooLarge(method: string, what: string, limit: number, unit: string, setting: keyof RpcLimits, fix: string): EtlError {
  const key = limitSetting(setting)
  return new EtlError('ETL_ERR_DAEMON_REQUEST_TOO_LARGE', `${method}: ${what}, over the ${limit}${unit ? ` ${unit}` : ''} the daemon takes (${key}); ${fix}, or raise ${key} in the config's scheduler section`)
}
