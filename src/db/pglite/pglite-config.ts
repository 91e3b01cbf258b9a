import { z } from 'zod'
import { field } from '../../config/schema-helpers.js'

/**
 * The embedded warehouse: PGlite (Postgres compiled to WebAssembly) persisted in a folder, so the
 * default run needs no server and SQL written for it runs unchanged on a Postgres server.
 *
 * ```json
 * "warehouse": { "dialect": "pglite", "path": "data/warehouse" }
 * ```
 */
export const pgliteConnectionSchema = z.strictObject({
  dialect: z.literal('pglite'),
  /** The data folder, or `memory://` for a database that lives only as long as the process. @defaultValue `data/<connection name>` */
  path: field.string().optional(),
  /** Bytes of CSV handed to each COPY during a bulk load; a load holds about two of these (the piece, and its COPY messages). @defaultValue 8 MiB */
  loadChunkBytes: field.positiveInt().optional(),
})

export type PgliteConnectionConfig = z.infer<typeof pgliteConnectionSchema>
