import test from 'ava'
import { DependencyGraph, EtlError, Task, build, param } from 'etl'
import { useTempLayout } from '../helpers/sandbox.js'

test.before(async () => {
  await useTempLayout()
})

test('dependency-graph: finds a cycle and prints it from a task back to itself', (t) => {
  const graph = new DependencyGraph<string>()
  for (const id of ['a', 'b', 'c', 'd']) graph.addTask(id, id.toUpperCase())
  graph.addDependency('a', 'b')
  graph.addDependency('b', 'c')
  graph.addDependency('c', 'd')
  t.is(graph.findCycle(), undefined)
  graph.addDependency('d', 'b')
  t.deepEqual(graph.findCycle(), ['b', 'c', 'd', 'b'])
  const error = t.throws(() => graph.assertAcyclic(), { instanceOf: EtlError })
  t.is(error.code, 'ETL_ERR_GRAPH_CYCLE')
  t.regex(error.message, /B\n {2}→ C\n {2}→ D\n {2}→ B/)
})

test('dependency-graph: a 10,000-deep chain is walked without running out of stack', (t) => {
  const graph = new DependencyGraph<number>()
  const depth = 10_000
  for (let i = 0; i < depth; i++) graph.addTask(`t${i}`, i)
  for (let i = 1; i < depth; i++) graph.addDependency(`t${i}`, `t${i - 1}`)
  t.is(graph.findCycle(), undefined)
  t.is(graph.upstream(`t${depth - 1}`).size, depth)
  t.is(graph.downstream('t0').size, depth)
})

class Loop extends Task.with({ n: param.int() }) {
  override requires() {
    return new Loop({ n: (this.params.n + 1) % 3 })
  }
}

test('dependency-graph: building a task graph with a cycle fails before any task runs', async (t) => {
  const error = await t.throwsAsync(build(new Loop({ n: 0 })), { instanceOf: EtlError })
  t.is(error.code, 'ETL_ERR_GRAPH_CYCLE')
  t.regex(error.message, /Loop\(n=0\)\n {2}→ Loop\(n=1\)\n {2}→ Loop\(n=2\)\n {2}→ Loop\(n=0\)/)
})
