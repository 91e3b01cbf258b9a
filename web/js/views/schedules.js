import { actionPanel } from '../actions.js'
import { get } from '../api.js'
import { badge, h, replace, runHref } from '../dom.js'
import { duration, relative, time } from '../format.js'

export function mount(container, _param, ctx) {
  const list = h('div', { class: 'card' })
  const runs = h('div', { class: 'card' })
  replace(container, list, runs)

  async function refresh() {
    const data = await get('/api/ui/schedules')
    replace(
      list,
      h('h2', {}, 'Schedules'),
      data.schedules.length === 0
        ? h('p', { class: 'muted' }, 'No schedules. Add them to etl.config.json: "schedules": [{ "name": "nightly", "cron": "0 2 * * *", "task": "RunJob" }].')
        : h(
            'table',
            { 'data-testid': 'schedules-table' },
            h('thead', {}, h('tr', {}, ['Name', 'Cron', 'Task', 'Next run', 'Running', ''].map((t) => h('th', {}, t)))),
            h(
              'tbody',
              {},
              data.schedules.map((schedule) =>
                h(
                  'tr',
                  {},
                  h('td', {}, schedule.name, schedule.enabled ? '' : ' (disabled)'),
                  h('td', {}, h('code', {}, schedule.cron), schedule.timezone ? ` ${schedule.timezone}` : ''),
                  h('td', {}, schedule.task, ' ', Object.entries(schedule.params).map(([k, v]) => `${k}=${v}`).join(', ')),
                  h('td', {}, schedule.nextRunAt ? `${time(schedule.nextRunAt)} (${relative(schedule.nextRunAt, data.now)})` : ''),
                  h('td', {}, schedule.running ? `since ${time(schedule.running.startedAt)}` : ''),
                  h(
                    'td',
                    {},
                    actionPanel(ctx, [
                      { label: 'Run now', action: 'trigger', body: { schedule: schedule.name }, title: 'Start this schedule’s run now', done: (r) => `Run ${r.id}: ${r.status}${r.message ? ` (${r.message})` : ''}` },
                    ]),
                  ),
                ),
              ),
            ),
          ),
    )
    replace(
      runs,
      h('h2', {}, 'Scheduled runs'),
      data.runs.length === 0
        ? h('p', { class: 'muted' }, 'None yet.')
        : h(
            'table',
            { 'data-testid': 'schedule-runs-table' },
            h('thead', {}, h('tr', {}, ['Status', 'Schedule', 'Due', 'Started', 'Duration', 'Exit', 'Message'].map((t) => h('th', {}, t)))),
            h(
              'tbody',
              {},
              data.runs.map((run) =>
                h(
                  'tr',
                  {},
                  h('td', {}, badge(run.status)),
                  h('td', {}, run.schedule, ' ', run.runId ? h('a', { href: runHref(run.runId) }, 'run') : ''),
                  h('td', {}, time(run.dueAt)),
                  h('td', {}, time(run.startedAt)),
                  h('td', {}, run.endedAt && run.startedAt ? duration(run.endedAt - run.startedAt) : ''),
                  h('td', {}, run.exitCode ?? ''),
                  h('td', {}, run.message ?? '', run.outputTail ? h('details', {}, h('summary', {}, 'output'), h('pre', {}, run.outputTail)) : ''),
                ),
              ),
            ),
          ),
    )
  }
  return { refresh }
}
