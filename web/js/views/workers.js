import { get } from '../api.js'
import { badge, h, replace, runHref, taskHref } from '../dom.js'
import { relative, time } from '../format.js'

export function mount(container) {
  const workersBox = h('div', { class: 'card' })
  const resourcesBox = h('div', { class: 'card' })
  replace(container, workersBox, resourcesBox)

  async function refresh() {
    const data = await get('/api/ui/workers')
    replace(
      workersBox,
      h('h2', {}, `Workers (${data.workers.filter((w) => w.state === 'active').length} active; lost after ${Math.round(data.workerTimeoutMs / 1000)} s without a call)`),
      data.workers.length === 0
        ? h('p', { class: 'muted' }, 'No worker has called yet. Start one with `etl run <Task>`.')
        : h(
            'table',
            { 'data-testid': 'workers-table' },
            h('thead', {}, h('tr', {}, ['State', 'Worker', 'Host', 'PID', 'Run', 'First seen', 'Last call', 'Running'].map((t) => h('th', {}, t)))),
            h(
              'tbody',
              {},
              data.workers.map((w) =>
                h(
                  'tr',
                  {},
                  h('td', {}, badge(w.state)),
                  h('td', {}, w.id),
                  h('td', {}, w.host ?? ''),
                  h('td', {}, w.pid ?? ''),
                  h('td', {}, h('a', { href: runHref(w.runId) }, w.runId)),
                  h('td', {}, time(w.firstSeen)),
                  h('td', {}, w.state === 'active' ? relative(w.lastSeen, data.now) : `ended ${time(w.endedAt)}`),
                  h('td', {}, w.running.length ? h('ul', { class: 'plain' }, w.running.map((id) => h('li', {}, h('a', { href: taskHref(id) }, id)))) : ''),
                ),
              ),
            ),
          ),
    )
    const resources = Object.entries(data.resources)
    replace(
      resourcesBox,
      h('h2', {}, 'Resources'),
      resources.length === 0
        ? h('p', { class: 'muted' }, 'No named resources configured or in use.')
        : h(
            'table',
            {},
            h('thead', {}, h('tr', {}, ['Resource', 'In use', 'Capacity'].map((t) => h('th', {}, t)))),
            h('tbody', {}, resources.map(([name, usage]) => h('tr', {}, h('td', {}, name), h('td', {}, usage.used), h('td', {}, usage.capacity)))),
          ),
    )
  }
  return { refresh }
}
