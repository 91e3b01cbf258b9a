import { get } from '../api.js'
import { badge, h, replace, taskHref } from '../dom.js'
import { duration, number, time } from '../format.js'
import { groupsPanel } from './groups.js'

const STATUSES = ['PENDING', 'RUNNING', 'DONE', 'FAILED', 'DISABLED', 'UPSTREAM_FAILED']
const SORTS = { added: 'Order added', updated: 'Last change', status: 'Status', family: 'Family', id: 'Id', started: 'Start', duration: 'Duration' }
const PAGE_SIZES = [50, 100, 500, 1000]

let filters = defaults()

function defaults() {
  return { status: [], family: '', q: '', sort: 'status', desc: false, offset: 0, limit: 100 }
}

/** The statuses the table is filtered to, for the counts bar. */
export function selectedStatuses() {
  return location.hash.startsWith('#/tasks') ? filters.status : []
}

function fromQuery(query) {
  const params = new URLSearchParams(query ?? '')
  const next = defaults()
  next.status = (params.get('status') ?? '').split(',').filter((status) => STATUSES.includes(status))
  next.family = params.get('family') ?? ''
  next.q = params.get('q') ?? ''
  if (params.get('sort') in SORTS) next.sort = params.get('sort')
  next.desc = params.get('desc') === '1'
  next.offset = Math.max(0, Number(params.get('offset')) || 0)
  const limit = Number(params.get('limit'))
  if (PAGE_SIZES.includes(limit)) next.limit = limit
  return next
}

function toQuery(f) {
  const params = new URLSearchParams()
  if (f.status.length) params.set('status', f.status.join(','))
  if (f.family) params.set('family', f.family)
  if (f.q) params.set('q', f.q)
  if (f.sort !== 'status') params.set('sort', f.sort)
  if (f.desc) params.set('desc', '1')
  if (f.offset) params.set('offset', String(f.offset))
  if (f.limit !== 100) params.set('limit', String(f.limit))
  return params.toString()
}

export function mount(container, query, ctx) {
  filters = fromQuery(query)
  const apply = () => {
    const text = toQuery(filters)
    history.replaceState(null, '', `#/tasks${text ? `?${text}` : ''}`)
    void refresh()
    void ctx.refresh()
  }

  let debounce
  const search = h('input', {
    type: 'search',
    placeholder: 'Search id, family or parameter…',
    value: filters.q,
    'aria-label': 'search tasks',
    oninput: () => {
      clearTimeout(debounce)
      debounce = setTimeout(() => {
        filters.q = search.value
        filters.offset = 0
        apply()
      }, 250)
    },
  })
  const chips = STATUSES.map((status) =>
    h(
      'button',
      {
        type: 'button',
        class: `chip s-${status}`,
        'data-filter-status': status,
        'aria-pressed': String(filters.status.includes(status)),
        onclick: (event) => {
          filters.status = filters.status.includes(status) ? filters.status.filter((s) => s !== status) : [...filters.status, status]
          event.currentTarget.setAttribute('aria-pressed', String(filters.status.includes(status)))
          filters.offset = 0
          apply()
        },
      },
      status,
    ),
  )
  const family = h('select', {
    'aria-label': 'family',
    onchange: () => {
      filters.family = family.value
      filters.offset = 0
      apply()
    },
  })
  const sort = h(
    'select',
    {
      'aria-label': 'sort',
      onchange: () => {
        filters.sort = sort.value
        apply()
      },
    },
    Object.entries(SORTS).map(([value, label]) => h('option', { value, selected: value === filters.sort }, label)),
  )
  const desc = h('input', {
    type: 'checkbox',
    checked: filters.desc,
    onchange: () => {
      filters.desc = desc.checked
      apply()
    },
  })
  const size = h(
    'select',
    {
      'aria-label': 'rows per page',
      onchange: () => {
        filters.limit = Number(size.value)
        filters.offset = 0
        apply()
      },
    },
    PAGE_SIZES.map((n) => h('option', { value: n, selected: n === filters.limit }, `${n} rows`)),
  )
  const groups = groupsPanel(ctx)
  const pager = h('div', { class: 'pager' })
  const body = h('tbody')
  const table = h(
    'table',
    { 'data-testid': 'task-table' },
    h('thead', {}, h('tr', {}, ['Status', 'Task', 'Parameters', 'Worker', 'Started', 'Duration', 'Last change / error'].map((title) => h('th', {}, title)))),
    body,
  )
  replace(
    container,
    h('div', { class: 'toolbar' }, search, chips, family, sort, h('label', {}, desc, ' descending'), size),
    groups.element,
    pager,
    table,
  )

  async function refresh() {
    const text = toQuery({ ...filters, sort: filters.sort, status: filters.status })
    const params = new URLSearchParams(text)
    if (!params.has('sort')) params.set('sort', filters.sort)
    const page = await get(`/api/ui/tasks?${params}`)
    await groups.refresh(filters.family)
    renderFamilies(family, ctx.summary?.families ?? {})
    renderPager(pager, page, (offset) => {
      filters.offset = offset
      apply()
    })
    const now = ctx.summary?.now ?? Date.now()
    replace(
      body,
      page.tasks.length === 0
        ? h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No task matches.'))
        : page.tasks.map((task) =>
            h(
              'tr',
              { 'data-task-id': task.id },
              h('td', {}, badge(task.status)),
              h('td', {}, h('a', { href: taskHref(task.id) }, task.family)),
              h('td', { class: 'params' }, task.params),
              h('td', {}, task.worker ?? ''),
              h('td', {}, time(task.startedAt)),
              h('td', {}, duration(task.durationMs)),
              task.error ? h('td', { class: 'error-cell' }, task.error) : h('td', { class: 'muted' }, task.progress ?? time(task.updatedAt ?? now)),
            ),
          ),
    )
  }

  return { refresh }
}

function renderFamilies(select, families) {
  const names = Object.keys(families).sort()
  const wanted = ['', ...names].join('\n')
  if (select.dataset.names === wanted) return
  select.dataset.names = wanted
  replace(
    select,
    h('option', { value: '' }, 'All families'),
    names.map((name) => h('option', { value: name, selected: name === filters.family }, `${name} (${number(families[name])})`)),
  )
  if (filters.family && !names.includes(filters.family)) select.append(h('option', { value: filters.family, selected: true }, filters.family))
}

function renderPager(pager, page, go) {
  const from = page.total === 0 ? 0 : page.offset + 1
  const to = Math.min(page.total, page.offset + page.limit)
  replace(
    pager,
    h('button', { type: 'button', disabled: page.offset === 0, onclick: () => go(Math.max(0, page.offset - page.limit)) }, '‹ Previous'),
    h('span', { 'data-testid': 'pager' }, `${number(from)}–${number(to)} of ${number(page.total)}`),
    h('button', { type: 'button', disabled: to >= page.total, onclick: () => go(page.offset + page.limit) }, 'Next ›'),
  )
}
