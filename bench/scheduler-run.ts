// One measurement in its own process, so peak RSS belongs to it alone.
// Usage: scheduler-run.ts <mode: cold|rerun|floor> <shape> <n> <workers> <dir>
import fs from 'node:fs/promises'
import path from 'node:path'
import pLimit from 'p-limit'
import { build, limitHeapGrowth } from 'etl'
import { prepare, type Shape } from './scheduler-dag.js'

const [mode, shape, nText, workersText, dir] = process.argv.slice(2) as [string, Shape, string, string, string]
const n = Number(nText)
const workers = Number(workersText)

// As `etl run` does, so the figures are the CLI's.
limitHeapGrowth()
const started = performance.now()
let ok = true
if (mode === 'floor') {
  // The physical floor: the same N small files written atomically and durably, as etl writes its
  // markers (temp file, fsync, rename, fsync of the folder), with no orchestration.
  const folder = path.join(dir, shape)
  await fs.mkdir(folder, { recursive: true })
  const limit = pLimit(workers)
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      limit(async () => {
        const file = path.join(folder, `${i}.json`)
        const handle = await fs.open(`${file}.tmp`, 'wx')
        await handle.writeFile(`{"i":${i}}`)
        await handle.sync()
        await handle.close()
        await fs.rename(`${file}.tmp`, file)
        const folderHandle = await fs.open(folder, 'r')
        await folderHandle.sync()
        await folderHandle.close()
      }),
    ),
  )
} else {
  const summary = await build(prepare(shape, n, dir), { workers })
  // A cold run runs the N tasks plus the root wrapper.
  ok = summary.complete && (mode === 'rerun' ? summary.ran.length === 0 : summary.ran.length === n + 1)
}
const wallMs = performance.now() - started
process.stdout.write(JSON.stringify({ wallMs, peakRssMb: process.resourceUsage().maxRSS / 1024, ok }))
