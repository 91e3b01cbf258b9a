import { actionPanel } from '../actions.js'
import { get } from '../api.js'
import { badge, h, replace, runHref, taskHref } from '../dom.js'
import { duration, preciseTime, relative, time } from '../format.js'
import { drawGraph } from './graph.js'

export function mount(container, id, ctx) {
  let depth = 2
  const header = h('div')
  const actions = h('div')
  const details = h('div', { class: 'card' })
  const errorCard = h('div', { class: 'card', 'data-testid': 'task-error', hidden: true })
  const launchCard = h('div', { class: 'card', 'data-testid': 'task-launch', hidden: true })
  const logCard = h('div', { class: 'card' })
  const neighbours = h('div', { class: 'card' })
  const graphCard = h('div', { class: 'card graph' })
  const attemptsCard = h('div', { class: 'card' })
  const depthSelect = h(
    'select',
    {
      'aria-label': 'graph depth',
      onchange: () => {
        depth = Number(depthSelect.value)
        void drawInto()
      },
    },
    [1, 2, 3, 4].map((n) => h('option', { value: n, selected: n === depth }, `${n} level${n > 1 ? 's' : ''} each way`)),
  )
  const graphBox = h('div')
  replace(graphCard, h('h2', {}, 'Dependency graph ', depthSelect), graphBox)
  replace(container, header, actions, h('div', { class: 'grid' }, h('div', {}, details, launchCard, errorCard), h('div', {}, logCard, neighbours)), graphCard, attemptsCard)

  let lastGraphKey = ''
  async function drawInto() {
    try {
      const graph = await get(`/api/ui/graph/${encodeURIComponent(id)}?depth=${depth}`)
      const key = JSON.stringify(graph)
      if (key === lastGraphKey) return
      lastGraphKey = key
      replace(graphBox, drawGraph(graph), graph.truncated ? h('p', { class: 'muted' }, 'Only part of the graph is drawn; follow a task to see beyond it.') : null)
    } catch {
      replace(graphBox, h('p', { class: 'muted' }, 'The scheduler no longer holds this task, so its graph is not known.'))
    }
  }

  async function refresh() {
    const data = await get(`/api/ui/tasks/${encodeURIComponent(id)}`)
    const now = ctx.summary?.now ?? Date.now()
    const task = data.task
    const last = data.attempts[0]
    if (!task) {
      renderFromHistory(last, now)
    } else {
      renderTask(task, now)
    }
    renderAttempts(data.attempts)
    await drawInto()
  }

  function renderTask(task, now) {
    replace(header, h('h1', {}, task.family, ' ', badge(task.status)), h('div', { class: 'sub', 'data-testid': 'task-id' }, task.id))
    const buttons = []
    if (task.status === 'DISABLED') buttons.push({ label: 'Re-enable', action: 'enable', body: { taskId: task.id }, title: 'Forget its failures and let it run again', done: (r) => `Re-enabled: now ${r.status}` })
    if (task.status === 'FAILED') buttons.push({ label: 'Retry now (forgive)', action: 'forgive', body: { taskId: task.id }, title: 'Put it back to PENDING without waiting for the retry delay', done: (r) => `Forgiven: now ${r.status}` })
    buttons.push({
      label: 'Rerun in a new worker',
      action: 'rerun',
      body: { taskId: task.id },
      title: 'Start `etl run` for this task and its parameters, in the folder and with the module it was registered from; a DONE task is invalidated first (`etl invalidate`) so it runs again',
      done: (r) => `Rerun started (run ${r.launch.runId}${r.launch.invalidateFirst ? ', invalidating it first' : ''}): the task is ${r.status}, waiting for its worker to register`,
    })
    replace(actions, actionPanel(ctx, buttons))

    const params = Object.entries(task.params)
    replace(
      details,
      h('h2', {}, 'Details'),
      h(
        'dl',
        { class: 'kv' },
        kv('Parameters', params.length ? h('ul', { class: 'plain', 'data-testid': 'task-params' }, params.map(([name, value]) => h('li', {}, h('b', {}, name), ' = ', value))) : 'none'),
        kv('Kind', task.kind),
        kv('Status', badge(task.status)),
        kv('Started', preciseTime(task.startedAt)),
        kv('Ended', preciseTime(task.endedAt)),
        kv('Duration', duration(task.durationMs)),
        kv('Worker', task.worker ?? ''),
        kv('Attempts', String(task.attempts)),
        task.retryAt ? kv('Retry', `${time(task.retryAt)} (${relative(task.retryAt, now)}), if a worker that can run it is still alive`) : null,
        task.recentFailures ? kv('Recent failures', String(task.recentFailures)) : null,
        task.progress ? kv('Progress', task.progress) : null,
        kv('Priority', String(task.priority)),
        Object.keys(task.resources).length ? kv('Resources', Object.entries(task.resources).map(([name, n]) => `${name}: ${n}`).join(', ')) : null,
        kv('Added', time(task.addedAt)),
        kv('Last change', time(task.updatedAt)),
        kv('Registered by', task.workers.join(', ')),
        kv('Registered from', task.origin ? h('span', { 'data-testid': 'task-origin' }, task.origin.module, h('br'), 'in ', task.origin.cwd, task.origin.config ? [h('br'), 'config ', task.origin.config] : null) : 'not said by its worker (it cannot be rerun from here)'),
        kv('Result', task.result ? h('pre', {}, JSON.stringify(task.result, null, 2)) : ''),
      ),
    )
    renderLaunch(task.launch)
    renderError(task.error)
    renderLog(task.log)
    replace(
      neighbours,
      h('h2', {}, `Requires (${task.depsCount})`),
      linkList(task.deps, task.depsCount),
      h('h2', {}, `Required by (${task.dependentsCount})`),
      linkList(task.dependents, task.dependentsCount),
    )
  }

  function renderFromHistory(last, now) {
    replace(header, h('h1', {}, last.family, ' ', badge(last.status)), h('div', { class: 'sub' }, id), h('p', { class: 'muted' }, 'The scheduler has forgotten this task; this is its last attempt from the run history.'))
    replace(actions)
    replace(
      details,
      h('h2', {}, 'Last attempt'),
      h(
        'dl',
        { class: 'kv' },
        kv('Parameters', h('ul', { class: 'plain', 'data-testid': 'task-params' }, Object.entries(last.params).map(([name, value]) => h('li', {}, h('b', {}, name), ' = ', value)))),
        kv('Started', preciseTime(last.startedAt)),
        kv('Ended', preciseTime(last.endedAt)),
        kv('Duration', last.endedAt ? duration(last.endedAt - last.startedAt) : relative(last.startedAt, now)),
        kv('Worker', last.workerId),
        kv('Run', h('a', { href: runHref(last.runId) }, last.runId)),
        kv('Result', last.result ? h('pre', {}, JSON.stringify(last.result, null, 2)) : ''),
      ),
    )
    renderLaunch(null)
    renderError(last.error)
    renderLog(last.log)
    replace(neighbours)
  }

  function renderLaunch(launch) {
    launchCard.hidden = !launch
    if (!launch) return
    const explain = {
      starting: 'Its process has started; its worker has not registered with the scheduler yet.',
      running: 'Its worker has registered and is working on the task.',
      succeeded: 'It finished.',
      failed: launch.registered ? 'It failed after its worker registered.' : 'It failed before its worker registered, so the task did not run.',
    }[launch.status]
    replace(
      launchCard,
      h('h2', {}, 'Last rerun ', h('span', { class: `badge s-${launch.status}`, 'data-testid': 'launch-status' }, launch.status)),
      h('p', {}, explain, launch.invalidateFirst ? ' The task was DONE, so its outputs were removed first (etl invalidate).' : ''),
      h(
        'dl',
        { class: 'kv' },
        kv('Started', preciseTime(launch.startedAt)),
        launch.endedAt ? kv('Ended', preciseTime(launch.endedAt)) : null,
        launch.exitCode !== undefined ? kv('Exit code', h('span', { 'data-testid': 'launch-exit-code' }, launch.exitCode ?? 'none (signal or not started)')) : null,
        launch.message ? kv('Outcome', h('span', { 'data-testid': 'launch-message' }, launch.message)) : null,
        launch.registered ? kv('Run', h('a', { href: runHref(launch.runId) }, launch.runId)) : null,
      ),
      launch.outputTail ? h('pre', { class: launch.status === 'failed' ? 'error' : undefined, 'data-testid': 'launch-output' }, launch.outputTail) : null,
    )
  }

  function renderError(error) {
    errorCard.hidden = !error
    if (!error) return
    replace(errorCard, h('h2', {}, 'Error', error.code ? ` (${error.code})` : ''), h('pre', { class: 'error', 'data-testid': 'error-text' }, error.stack || error.message))
  }

  function renderLog(log) {
    replace(
      logCard,
      h('h2', {}, 'Log (last lines)'),
      log && log.length
        ? h('pre', { 'data-testid': 'task-log' }, log.map((line) => h('div', { class: `log-${line.level}` }, `${time(line.at).slice(11)} ${line.level.toUpperCase().padEnd(5)} ${line.message}`)))
        : h('p', { class: 'muted' }, 'No log lines yet.'),
    )
  }

  function renderAttempts(attempts) {
    replace(
      attemptsCard,
      h('h2', {}, 'Attempts (run history)'),
      attempts.length === 0
        ? h('p', { class: 'muted' }, ctx.summary?.info.history === 'off' ? 'The run history is off for this daemon.' : 'None recorded yet.')
        : h(
            'table',
            {},
            h('thead', {}, h('tr', {}, ['Started', 'Status', 'Duration', 'Worker', 'Run', 'Error'].map((t) => h('th', {}, t)))),
            h(
              'tbody',
              {},
              attempts.map((a) =>
                h(
                  'tr',
                  {},
                  h('td', {}, time(a.startedAt)),
                  h('td', {}, badge(a.status)),
                  h('td', {}, a.endedAt ? duration(a.endedAt - a.startedAt) : ''),
                  h('td', {}, a.workerId),
                  h('td', {}, h('a', { href: runHref(a.runId) }, a.runId)),
                  h('td', { class: 'error-cell' }, a.error ? a.error.message.split('\n')[0] : ''),
                ),
              ),
            ),
          ),
    )
  }

  return { refresh }
}

function kv(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)]
}

function linkList(items, total) {
  if (items.length === 0) return h('p', { class: 'muted' }, 'none')
  return h(
    'ul',
    { class: 'plain' },
    items.map((item) => h('li', {}, badge(item.status), ' ', h('a', { href: taskHref(item.id) }, item.id))),
    total > items.length ? h('li', { class: 'muted' }, `… and ${total - items.length} more`) : null,
  )
}
