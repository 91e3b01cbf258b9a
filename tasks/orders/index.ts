// The orders and web log ELT: its tasks, and its sample data for `etl demo --pipeline orders`.
export { RunJob } from './run-job.js'
export { PrepareSource } from './prepare-source.js'
export { StartExecution } from './start-execution.js'
export { LandTable } from './land-table.js'
export { UpsertStore } from './upsert-store.js'
export { ParseWeblog, LoadWeblog } from './weblog-steps.js'
export { BuildPres, WriteReports, FinishExecution } from './presentation.js'
export { ordersSample } from './orders-sample.js'
