import { get } from '../api.js'
import { badge, h, replace, runHref } from '../dom.js'
import { duration, number, time } from '../format.js'

const PAGE = 50

export function mount(container) {
  let offset = 0
  const box = h('div', { class: 'card' })
  replace(container, box)

  async function refresh() {
    const data = await get(`/api/ui/runs?offset=${offset}&limit=${PAGE}`)
    if (!data.enabled) {
      replace(box, h('h2', {}, 'Run history'), h('p', { class: 'muted' }, 'The run history is off for this daemon.'))
      return
    }
    const pager = h(
      'div',
      { class: 'pager' },
      h('button', { type: 'button', disabled: offset === 0, onclick: () => ((offset = Math.max(0, offset - PAGE)), refresh()) }, '‹ Newer'),
      h('span', {}, `${number(data.total === 0 ? 0 : offset + 1)}–${number(Math.min(data.total, offset + PAGE))} of ${number(data.total)}`),
      h('button', { type: 'button', disabled: offset + PAGE >= data.total, onclick: () => ((offset += PAGE), refresh()) }, 'Older ›'),
    )
    replace(
      box,
      h('h2', {}, 'Run history'),
      pager,
      h(
        'table',
        { 'data-testid': 'runs-table' },
        h('thead', {}, h('tr', {}, ['Status', 'Run', 'Started', 'Ended', 'Duration', 'Attempts', 'Workers'].map((t) => h('th', {}, t)))),
        h(
          'tbody',
          {},
          data.runs.map((run) =>
            h(
              'tr',
              {},
              h('td', {}, badge(run.status)),
              h('td', {}, h('a', { href: runHref(run.id) }, run.label || run.id), h('div', { class: 'muted' }, run.id)),
              h('td', {}, time(run.startedAt)),
              h('td', {}, time(run.endedAt)),
              h('td', {}, run.endedAt ? duration(run.endedAt - run.startedAt) : ''),
              h('td', {}, Object.entries(run.attempts).map(([status, n]) => h('span', {}, badge(status), ` ${number(n)} `))),
              h('td', {}, String(run.workerIds.length)),
            ),
          ),
        ),
      ),
    )
  }
  return { refresh }
}
