import { actionPanel } from '../actions.js'
import { get } from '../api.js'
import { badge, h, replace, taskHref } from '../dom.js'
import { number } from '../format.js'

const STATUSES = ['PENDING', 'RUNNING', 'DONE', 'FAILED', 'DISABLED', 'UPSTREAM_FAILED']

/**
 * The instances of a family that differ only by their date or datetime parameter, one collapsible
 * group each with its counts per status; opened, each instance as a coloured cell (a link to its page)
 * and a form that starts `etl backfill` for the group (behind the action token).
 */
export function groupsPanel(ctx) {
  const panel = h('section', { class: 'groups', 'data-testid': 'task-groups' })
  const open = new Set()
  // What the person typed into each group's form, kept across the refreshes that redraw the panel.
  const drafts = new Map()
  let lastKey = ''

  async function refresh(family) {
    const data = await get(`/api/ui/groups${family ? `?family=${encodeURIComponent(family)}` : ''}`)
    const key = JSON.stringify(data)
    if (key === lastKey) return
    lastKey = key
    if (data.groups.length === 0) return replace(panel)
    replace(
      panel,
      h('h2', {}, 'Date-partitioned tasks ', h('span', { class: 'muted' }, '(instances that differ only by a date; open one to see each, or to backfill)')),
      data.groups.map((group) => renderGroup(group)),
      data.truncated ? h('p', { class: 'muted' }, 'Only the largest groups are shown; filter by family to see the others.') : null,
    )
  }

  function renderGroup(group) {
    const id = `${group.family} ${group.param} ${JSON.stringify(group.others)}`
    const others = Object.entries(group.others).map(([name, value]) => `${name}=${value}`).join(', ')
    const details = h('details', { class: 'group card', 'data-group': group.family, open: open.has(id) })
    details.addEventListener('toggle', () => (details.open ? open.add(id) : open.delete(id)))
    const counts = STATUSES.filter((status) => group.counts[status]).map((status) => h('span', { class: 'group-count' }, badge(status), ` ${number(group.counts[status])}`))
    replace(
      details,
      h('summary', {}, h('b', {}, group.family), others ? ` (${others})` : '', ` · ${group.param} ${group.first} … ${group.last} · ${number(group.total)} tasks `, counts),
      h(
        'div',
        { class: 'cells' },
        group.instances.map((instance) => h('a', { class: `cell s-${instance.status}`, href: taskHref(instance.id), title: `${instance.value}: ${instance.status}` }, instance.value)),
      ),
      group.instances.length < group.total ? h('p', { class: 'muted' }, `The first ${number(group.instances.length)} of ${number(group.total)} are drawn.`) : null,
      backfillForm(group, id),
    )
    return details
  }

  function backfillForm(group, id) {
    const draft = drafts.get(id) ?? { interval: '', order: 'oldest' }
    const interval = h('input', { type: 'text', 'aria-label': 'interval', placeholder: 'interval, e.g. 2024-01-01/2024-02-01', size: 34, value: draft.interval })
    const order = h('select', { 'aria-label': 'order' }, h('option', { value: 'oldest', selected: draft.order === 'oldest' }, 'oldest first'), h('option', { value: 'newest', selected: draft.order === 'newest' }, 'newest first'))
    const keep = () => drafts.set(id, { interval: interval.value, order: order.value })
    interval.addEventListener('input', keep)
    order.addEventListener('change', keep)
    const body = () => ({ family: group.family, param: group.param, interval: interval.value.trim(), order: order.value, params: group.others })
    const actions = actionPanel(ctx, [
      {
        label: 'Backfill',
        action: 'backfill',
        get body() {
          return body()
        },
        title: 'Start etl backfill for this group over the interval (the end excluded), in the folder and with the module its tasks came from; complete instances are skipped',
        done: (r) =>
          `Backfill of ${r.family} over ${r.param} started (run ${r.record.runId})${r.maskedParams?.length ? `; ${r.maskedParams.join(', ')} left off (secrets: the run takes them from its config)` : ''}; its instances appear here as its worker registers them`,
      },
    ])
    actions.prepend(interval, order)
    return actions
  }

  return { element: panel, refresh }
}
