import type { ColumnType } from '../column-type.js'
import type { DatabaseCapabilities } from '../database.js'
import { SqlDialect, type NativeType } from '../sql-dialect.js'
import { redshiftNativeType } from './redshift-types.js'

const CAPABILITIES: DatabaseCapabilities = Object.freeze({ copyFromS3: true, transactionalDdl: true })

/**
 * Redshift's SQL as the Data API takes it: named `:p1` placeholders, and NULL written as a literal
 * because the Data API cannot bind it. Quoting and the delete + insert upsert are the defaults (it has
 * no ON CONFLICT), and it has no indexes: sort and distribution keys come with the table.
 */
export class RedshiftDialect extends SqlDialect {
  readonly name = 'redshift'

  /** `COPY … FROM 's3://…'` loads straight from the lake. */
  override get capabilities(): DatabaseCapabilities {
    return CAPABILITIES
  }

  override placeholder(index: number): string {
    return `:p${index}`
  }

  override inlineLiteral(value: unknown): string | undefined {
    return value === null || value === undefined ? 'null' : undefined
  }

  nativeType(type: ColumnType): NativeType {
    return redshiftNativeType(type)
  }

  /** None: Redshift has no indexes. */
  override ensureIndexSql(): undefined {
    return undefined
  }
}

/** Redshift's dialect. */
export const redshiftDialect: RedshiftDialect = Object.freeze(new RedshiftDialect())
