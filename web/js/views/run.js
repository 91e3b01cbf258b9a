import { get } from '../api.js'
import { badge, h, replace, s, taskHref } from '../dom.js'
import { duration, number, time } from '../format.js'

const LANE_H = 16
const LABEL_W = 220
const WIDTH = 1100
const AXIS_H = 24

export function mount(container, runId) {
  const header = h('div')
  const chart = h('div', { class: 'card gantt' })
  const failures = h('div', { class: 'card' })
  replace(container, header, chart, failures)
  let lastKey = ''

  async function refresh() {
    const data = await get(`/api/ui/runs/${encodeURIComponent(runId)}`)
    const { run, attempts } = data
    replace(
      header,
      h('h1', {}, run.label || run.id, ' ', badge(run.status)),
      h('div', { class: 'sub' }, `${run.id} · started ${time(run.startedAt)}${run.endedAt ? ` · ended ${time(run.endedAt)} · ${duration(run.endedAt - run.startedAt)}` : ''} · ${number(attempts.length)} attempts${data.truncated ? ' (first ones only)' : ''}`),
    )
    const key = JSON.stringify([attempts.length, attempts.at(-1)?.status, attempts.at(-1)?.endedAt, run.status])
    if (key !== lastKey) {
      lastKey = key
      replace(chart, h('h2', {}, 'Timeline'), attempts.length ? drawGantt(attempts, data.now) : h('p', { class: 'muted' }, 'No attempts recorded for this run.'))
    }
    const failed = attempts.filter((a) => a.status === 'FAILED' || a.status === 'LOST')
    replace(
      failures,
      h('h2', {}, `Failed or lost attempts (${failed.length})`),
      failed.length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h('ul', { class: 'plain' }, failed.map((a) => h('li', {}, badge(a.status), ' ', h('a', { href: taskHref(a.taskId) }, a.taskId), ' — ', a.error ? a.error.message.split('\n')[0] : ''))),
    )
  }
  return { refresh }
}

/**
 * A Gantt chart of a run's attempts: one group of lanes per worker, each attempt a bar from its start
 * to its end, packed into as few lanes as never overlap.
 */
function drawGantt(attempts, now) {
  const start = Math.min(...attempts.map((a) => a.startedAt))
  const end = Math.max(...attempts.map((a) => a.endedAt ?? now), start + 1)
  const plotW = WIDTH - LABEL_W - 10
  const x = (t) => LABEL_W + ((t - start) / (end - start)) * plotW
  const byWorker = new Map()
  for (const attempt of attempts) {
    if (!byWorker.has(attempt.workerId)) byWorker.set(attempt.workerId, [])
    byWorker.get(attempt.workerId).push(attempt)
  }
  const lanes = []
  for (const [workerId, list] of byWorker) {
    const ends = []
    const placed = []
    for (const attempt of list.sort((a, b) => a.startedAt - b.startedAt)) {
      const finish = attempt.endedAt ?? now
      let lane = ends.findIndex((laneEnd) => laneEnd <= attempt.startedAt)
      if (lane === -1) {
        lane = ends.length
        ends.push(finish)
      } else ends[lane] = finish
      placed.push({ attempt, lane })
    }
    lanes.push({ workerId, count: ends.length, placed })
  }
  const totalLanes = lanes.reduce((sum, group) => sum + group.count, 0)
  const height = AXIS_H + totalLanes * LANE_H + lanes.length * 6 + 10
  const svg = s('svg', { width: WIDTH, height, viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': 'run timeline', 'data-testid': 'gantt' })
  const axis = s('g', { class: 'axis' })
  for (let i = 0; i <= 5; i++) {
    const t = start + ((end - start) * i) / 5
    axis.append(s('line', { x1: x(t), x2: x(t), y1: AXIS_H - 6, y2: height }), s('text', { x: x(t) - (i === 5 ? 40 : 0), y: 12 }, `+${duration(t - start)}`))
  }
  svg.append(axis)
  let y = AXIS_H
  for (const group of lanes) {
    svg.append(s('text', { class: 'lane-label', x: 4, y: y + 12 }, group.workerId.length > 34 ? `${group.workerId.slice(0, 33)}…` : group.workerId))
    for (const { attempt, lane } of group.placed) {
      const x1 = x(attempt.startedAt)
      const width = Math.max(1.5, x(attempt.endedAt ?? now) - x1)
      svg.append(
        s(
          'a',
          { href: taskHref(attempt.taskId) },
          s('title', {}, `${attempt.taskId}\n${attempt.status} · ${duration((attempt.endedAt ?? now) - attempt.startedAt)}`),
          s('rect', { x: x1, y: y + lane * LANE_H + 2, width, height: LANE_H - 4, rx: 2, fill: `var(--${attempt.status === 'RUNNING' ? 'RUNNING' : attempt.status})` }),
        ),
      )
    }
    y += group.count * LANE_H + 6
  }
  return svg
}
