import { s, taskHref } from '../dom.js'

const NODE_W = 200
const NODE_H = 26
const COL_GAP = 70
const ROW_GAP = 10
const PAD = 16

/**
 * Draws the neighbourhood of a task as SVG: what it requires to the left, what requires it to the
 * right, one column per level, edges as curves from a requirement to the task that needs it.
 */
export function drawGraph(graph) {
  const levels = [...new Set(graph.nodes.map((node) => node.level))].sort((a, b) => a - b)
  const columns = new Map(levels.map((level) => [level, graph.nodes.filter((node) => node.level === level).sort((a, b) => (a.id < b.id ? -1 : 1))]))
  const tallest = Math.max(...[...columns.values()].map((nodes) => nodes.length))
  const height = PAD * 2 + tallest * (NODE_H + ROW_GAP)
  const width = PAD * 2 + levels.length * NODE_W + (levels.length - 1) * COL_GAP
  const position = new Map()
  levels.forEach((level, column) => {
    const nodes = columns.get(level)
    const offset = (height - nodes.length * (NODE_H + ROW_GAP)) / 2
    nodes.forEach((node, row) => position.set(node.id, { x: PAD + column * (NODE_W + COL_GAP), y: offset + row * (NODE_H + ROW_GAP) }))
  })
  const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'dependency graph', 'data-testid': 'graph' })
  for (const edge of graph.edges) {
    const from = position.get(edge.from)
    const to = position.get(edge.to)
    if (!from || !to) continue
    const x1 = from.x + NODE_W
    const y1 = from.y + NODE_H / 2
    const x2 = to.x
    const y2 = to.y + NODE_H / 2
    const mid = (x1 + x2) / 2
    svg.append(s('path', { class: 'edge', d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` }))
  }
  for (const node of graph.nodes) {
    const { x, y } = position.get(node.id)
    const full = node.params ? `${node.family}(${node.params})` : node.family
    const label = full.length > 30 ? `${full.slice(0, 29)}…` : full
    const link = s(
      'a',
      { href: taskHref(node.id), class: `node s-${node.status}${node.id === graph.center ? ' center' : ''}` },
      s('title', {}, `${full}\n${node.id} (${node.status})`),
      s('rect', { x, y, width: NODE_W, height: NODE_H, rx: 5, fill: `var(--${node.status})` }),
      s('text', { x: x + 8, y: y + NODE_H / 2 + 4 }, label),
    )
    svg.append(link)
  }
  return svg
}
