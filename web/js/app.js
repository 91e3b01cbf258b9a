import { get } from './api.js'
import { badge, h, replace } from './dom.js'
import { number } from './format.js'
import * as runView from './views/run.js'
import * as runsView from './views/runs.js'
import * as schedulesView from './views/schedules.js'
import * as taskView from './views/task.js'
import * as tasksView from './views/tasks.js'
import * as workersView from './views/workers.js'

const STATUSES = ['PENDING', 'RUNNING', 'DONE', 'FAILED', 'DISABLED', 'UPSTREAM_FAILED']
const REFRESH_MS = 3000

const routes = [
  { pattern: /^#\/task\/(.+)$/, view: taskView, nav: 'tasks' },
  { pattern: /^#\/workers$/, view: workersView, nav: 'workers' },
  { pattern: /^#\/runs$/, view: runsView, nav: 'runs' },
  { pattern: /^#\/run\/(.+)$/, view: runView, nav: 'runs' },
  { pattern: /^#\/schedules$/, view: schedulesView, nav: 'schedules' },
  { pattern: /^#\/tasks(?:\?(.*))?$/, view: tasksView, nav: 'tasks' },
]

const state = { summary: null, current: null, timer: null, busy: false }

const ctx = {
  get summary() {
    return state.summary
  },
  notify(message, isError = false) {
    const notice = document.getElementById('notice')
    notice.hidden = !message
    notice.className = isError ? 'notice error' : 'notice'
    replace(notice, message ?? '')
  },
  navigate(hash) {
    if (location.hash === hash) route()
    else location.hash = hash
  },
  /** Refreshes the counts and the current view now (after an action). */
  refresh: () => refresh(),
}

function route() {
  const hash = location.hash || '#/tasks'
  const match = routes.map((r) => ({ r, m: hash.match(r.pattern) })).find(({ m }) => m)
  if (!match) {
    location.hash = '#/tasks'
    return
  }
  for (const link of document.querySelectorAll('[data-nav]')) link.classList.toggle('active', link.dataset.nav === match.r.nav)
  state.current?.unmount?.()
  state.current = null
  const container = document.getElementById('view')
  ctx.notify(null)
  // A hand-edited or cut address (`#/task/%E0%A4`) does not decode: say so rather than wait for ever.
  const param = paramOf(match)
  if (param === BAD_ADDRESS) {
    replace(container, h('p', { class: 'notice error', 'data-testid': 'bad-address' }, `This address does not decode: ${hash.slice(0, 200)}. `, h('a', { href: '#/tasks' }, 'Go to the task list')))
    return
  }
  replace(container, h('p', { class: 'muted' }, 'Loading…'))
  try {
    state.current = match.r.view.mount(container, param, ctx)
  } catch (error) {
    replace(container, h('p', { class: 'notice error' }, `This page could not be shown: ${error.message}. `, h('a', { href: '#/tasks' }, 'Go to the task list')))
    return
  }
  void refresh()
}

const BAD_ADDRESS = Symbol('bad address')

/** The id in the address, decoded (the task list keeps its query as it is); BAD_ADDRESS when it does not decode. */
function paramOf(match) {
  const raw = match.m[1]
  if (raw === undefined || match.r.view === tasksView) return raw
  try {
    return decodeURIComponent(raw)
  } catch {
    return BAD_ADDRESS
  }
}

async function refresh() {
  if (state.busy) return
  state.busy = true
  try {
    state.summary = await get('/api/ui/summary')
    renderCounts()
    renderAbout()
    await state.current?.refresh()
  } catch (error) {
    ctx.notify(`Cannot reach the scheduler: ${error.message}. Retrying…`, true)
  } finally {
    state.busy = false
  }
}

function renderCounts() {
  const { counts, total } = state.summary
  const selected = tasksView.selectedStatuses()
  const card = (label, value, status) =>
    h(
      'button',
      {
        type: 'button',
        class: `count ${status ? `s-${status}` : ''} ${status && selected.includes(status) ? 'selected' : ''}`,
        'data-status': status ?? 'ALL',
        title: status ? `Show ${status} tasks` : 'Show all tasks',
        onclick: () => ctx.navigate(status ? `#/tasks?status=${status}` : '#/tasks'),
      },
      h('span', {}, label),
      h('b', {}, number(value)),
    )
  replace(document.getElementById('counts'), card('All tasks', total), STATUSES.map((status) => card(status.replace('_', ' ').toLowerCase(), counts[status] ?? 0, status)))
}

function renderAbout() {
  const { info, activeWorkers, actionsEnabled } = state.summary
  replace(
    document.getElementById('about'),
    `etl ${info.version} · ${activeWorkers} active worker${activeWorkers === 1 ? '' : 's'} · history: ${info.history} · actions: ${actionsEnabled ? 'need the token' : 'disabled (no token configured)'}`,
  )
}

function tick() {
  const auto = document.getElementById('auto-refresh')
  if (auto.checked && !document.hidden && !fillingInAnAction()) void refresh()
}

/** How long a field of an action left focused, untouched, holds the refresh back. */
const FILLING_IN_MS = 30_000
let touchedAt = 0
for (const type of ['focusin', 'input']) document.addEventListener(type, () => (touchedAt = Date.now()))

/**
 * True while the person is filling in a field of an action (the token, a backfill's interval): a
 * refresh would draw the panel again under them, taking their half-typed text and the focus. Once
 * they leave it, or leave it untouched for a while, the page refreshes again.
 */
function fillingInAnAction() {
  const active = document.activeElement
  const inField = active instanceof HTMLElement && active.matches('input, select, textarea') && active.closest('.actions') !== null
  return inField && Date.now() - touchedAt < FILLING_IN_MS
}

window.addEventListener('hashchange', route)
window.addEventListener('DOMContentLoaded', () => {
  route()
  state.timer = setInterval(tick, REFRESH_MS)
})

export { badge }
