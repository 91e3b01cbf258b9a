/**
 * Where a task stands in a scheduler:
 * - PENDING: waiting to run (its requirements may still be running);
 * - RUNNING: a worker holds it;
 * - DONE: complete (it ran, or was already complete);
 * - FAILED: its last attempt failed;
 * - DISABLED: it failed too often and waits for a person to re-enable it (central scheduler);
 * - UPSTREAM_FAILED: it cannot run because something it requires failed or is disabled.
 */
export const TASK_STATUSES = ['PENDING', 'RUNNING', 'DONE', 'FAILED', 'DISABLED', 'UPSTREAM_FAILED'] as const
export type TaskStatus = (typeof TASK_STATUSES)[number]

/** Statuses that block everything downstream. */
export const BLOCKING_STATUSES: ReadonlySet<TaskStatus> = new Set(['FAILED', 'DISABLED', 'UPSTREAM_FAILED'])

/** Statuses in which a task may still change without anyone stepping in. */
export const OPEN_STATUSES: ReadonlySet<TaskStatus> = new Set(['PENDING', 'RUNNING'])
