import path from 'node:path'
import test from 'ava'
import { build, CentralScheduler, LocalScheduler, setLayout } from 'etl'
import { Node } from '../fixtures/daemon/dag.js'
import { tempDir } from '../helpers/daemon-helpers.js'

// Regression: with one slot, the worker's loop could wake before p-limit freed the slot, find no free
// slot, and sleep with no timer: the process ended with exit code 13 halfway through the graph.
for (const make of [() => new LocalScheduler(), () => new CentralScheduler()]) {
  test.serial(`worker: with one slot against ${make().constructor.name} every task of the graph runs`, async (t) => {
    setLayout({ outputDir: path.join(await tempDir('slot'), 'output') })
    const summary = await build(new Node({ i: 0, size: 7 }), { scheduler: make(), workers: 1, pollIntervalMs: 20 })
    t.true(summary.complete)
    t.is(summary.ran.length, 7)
  })
}
