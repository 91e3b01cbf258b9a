import path from 'node:path'
import type { TaskContext } from '../../core/task-context.js'
import { sql } from '../../db/sql.js'
import { keysExtractSql } from '../generators/extract-sql.js'
import { EXEC_SEQ_COLUMN, sourceColumns } from '../generators/table-sql.js'
import { keysLandingTable, qualified, type TableMetadata } from '../table-metadata.js'
import type { SequencePipeline } from './sequence-pipeline.js'

/** The lake key of a table's source keys for a sequence: beside its landing file (`…/exec_seq=<n>/keys-0000.csv`). */
export function keysLakeKey(landingKey: string): string {
  return `${path.posix.dirname(landingKey)}/keys-0000.csv`
}

/**
 * Lands the source's keys of an incremental table for a sequence that reconciles hard deletes: the
 * key columns of every row the dictionary could extract go through the lake (`key`) into the keys
 * table beside the landing table, replacing the sequence's earlier ones, with the count recorded in
 * the same transaction. Read after the table's rows, so a key missing from them was deleted in the
 * source after those rows were read, never before. Returns the keys read.
 */
export async function landSourceKeys(ctx: TaskContext, sequences: SequencePipeline, meta: TableMetadata, seq: number, key: string): Promise<number> {
  const source = await ctx.db(sequences.source)
  const warehouse = await ctx.db(sequences.warehouse)
  const table = keysLandingTable(meta)
  const described = sourceColumns(meta, (await source.describeTable(meta.table)).columns).filter((column) => meta.key.includes(column.name))
  const keyColumns = meta.key.map((name) => ({ ...described.find((column) => column.name === name)!, nullable: false }))
  await warehouse.query(warehouse.dialect.createTableSql(qualified(table), [...keyColumns, EXEC_SEQ_COLUMN], { ifNotExists: true }))
  const control = sequences.control(warehouse)
  ctx.progress(`reading the keys of ${meta.table} for hard deletes`)
  const rows = await warehouse.transaction(async (tx) => {
    await tx.query(sql`delete from ${sql.id(table.schema, table.name)} where ${sql.id(EXEC_SEQ_COLUMN.name)} = ${seq}`)
    const loaded = await ctx.data.loadThroughLake(tx, qualified(table), key, source.extractCsv(keysExtractSql(meta, seq)))
    await control.count(seq, meta.table, 'reconciled_keys', loaded.rows, tx)
    return loaded.rows
  })
  await warehouse.ensureIndex(qualified(table), [EXEC_SEQ_COLUMN.name])
  return rows
}
