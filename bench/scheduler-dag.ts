import path from 'node:path'
import { LocalTarget, Task, WrapperTask, param, type TaskLike } from 'etl'

/** The three benchmark shapes: one wrapper over N, a chain N deep, and 10 layers each needing 3 below. */
export const SHAPES = ['fan-in', 'chain', 'layered'] as const
export type Shape = (typeof SHAPES)[number]

export const LAYERS = 10
const LAYER_FAN = 3

/** Per run: the folder outputs go to and the layered shape's edges (drawn once, from a fixed seed). */
const context = { dir: '', layeredDeps: [] as number[][] }

/** A no-op task that writes one small file, the unit the benchmark counts. */
export class Noop extends Task.with({ shape: param.string(), n: param.int(), i: param.int() }) {
  override requires(): TaskLike[] {
    const { shape, n, i } = this.params
    if (shape === 'chain') return i > 0 ? [new Noop({ shape, n, i: i - 1 })] : []
    if (shape === 'layered') return (context.layeredDeps[i] ?? []).map((dep) => new Noop({ shape, n, i: dep }))
    return []
  }

  override output(): LocalTarget {
    return new LocalTarget(path.join(context.dir, this.params.shape, `${this.params.i}.json`))
  }

  override async run(): Promise<void> {
    await this.output().write(`{"i":${this.params.i}}`)
  }
}

/** Everything at the top of a shape, under one root. */
export class Top extends WrapperTask.with({ shape: param.string(), n: param.int() }) {
  override requires(): TaskLike[] {
    const { shape, n } = this.params
    if (shape === 'chain') return [new Noop({ shape, n, i: n - 1 })]
    const perLayer = n / LAYERS
    const first = shape === 'layered' ? n - perLayer : 0
    return Array.from({ length: n - first }, (_, k) => new Noop({ shape, n, i: first + k }))
  }
}

/** Sets where files go and, for the layered shape, draws its edges with a seeded generator. */
export function prepare(shape: Shape, n: number, dir: string): Top {
  context.dir = dir
  context.layeredDeps = shape === 'layered' ? layeredEdges(n) : []
  return new Top({ shape, n })
}

function layeredEdges(n: number): number[][] {
  const perLayer = n / LAYERS
  const random = mulberry32(20261121)
  const deps: number[][] = []
  for (let i = 0; i < n; i++) {
    const layer = Math.floor(i / perLayer)
    if (layer === 0) {
      deps.push([])
      continue
    }
    const below = (layer - 1) * perLayer
    // The first pick walks the layer below in order, so every task there is needed by someone.
    const picked = new Set<number>([below + (i % perLayer)])
    while (picked.size < LAYER_FAN) picked.add(below + Math.floor(random() * perLayer))
    deps.push([...picked])
  }
  return deps
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
