import { randomUUID } from 'node:crypto'
import pg from 'pg'

/** The test Postgres server (trust auth), as .ci/run starts it. */
export const TEST_POSTGRES_URL = process.env.ETL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A fresh schema with a random name, and a function that drops it. */
export async function tempSchema(): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`
  return {
    schema,
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      } finally {
        await client.end()
      }
    },
  }
}
