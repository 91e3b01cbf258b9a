// The tasks `etl` knows: every Task class exported here can be run by name (`npx etl run RunJob`),
// and the sample data `etl demo` builds. Each pipeline is a folder of its own; add yours beside them.
export * from './orders/index.js'
export * from './support/index.js'
