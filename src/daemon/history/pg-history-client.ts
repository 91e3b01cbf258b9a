import type { HistoryClient } from './history-client.js'

/** Connections the daemon holds: one writer plus a few UI readers. */
const POOL_SIZE = 4

/** The run history on a Postgres server, through a small `pg` pool. */
export async function openPgHistoryClient(url: string): Promise<HistoryClient> {
  const { default: pg } = await import('pg')
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE })
  // An idle connection the server drops must not take the daemon down.
  pool.on('error', () => {})
  return {
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await pool.query(sql, params)
      return { rows: result.rows as Row[] }
    },
    close: () => pool.end(),
  }
}

/** `postgres://user:***@host:5432/db`: a connection string safe to show. */
export function describeConnection(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(a connection string that is not a URL)'
  }
}
