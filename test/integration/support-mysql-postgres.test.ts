import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { PostgresDatabase } from '../../src/db/postgres/postgres-database.js'
import { runCli } from '../helpers/cli.js'
import { MARIADB, POSTGRES, scratchMysql } from '../helpers/databases.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE, scratchPostgresDatabase } from './elt-helpers.js'

test('support: from a MariaDB source into PostgreSQL by config alone; a merge that fails midway resumes without duplicating a row', async (t) => {
  const cwd = await tempDir('etl-support-my-')
  const source = await scratchMysql('support_source')
  const dw = await scratchPostgresDatabase('etl_sdw')
  const warehouse = new PostgresDatabase('warehouse', { dialect: 'postgres', ...POSTGRES, database: dw.name, poolSize: 2 })
  t.teardown(async () => {
    await warehouse.close()
    await source.drop()
    await dw.drop()
    await fs.rm(cwd, { recursive: true, force: true })
  })
  const config = {
    connections: {
      support_source: { dialect: 'mysql', host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database: source.namespace },
      warehouse: { dialect: 'postgres', host: POSTGRES.host, port: POSTGRES.port, user: POSTGRES.user, database: dw.name },
    },
  }
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify(config, null, 2))
  const run = (...args: string[]) => runCli([...args, '--module', PIPELINE], cwd)

  const none = await run('run', 'SupportDW', '--local-scheduler')
  t.not(none.code, 0, 'a configured empty source is never filled with the sample')
  t.regex(none.stdout + none.stderr, /has no tables; load analysts, products and cases into it, or build the sample there with etl demo init --pipeline support/)

  t.is((await run('demo', 'init', '--pipeline', 'support', '--seed', '7')).code, 0)
  const first = await run('run', 'SupportDW', '--local-scheduler', '--workers', '3')
  t.is(first.code, 0, first.stdout + first.stderr)
  const cases = async () => Number((await source.db.query('select count(*) as n from cases')).rows[0]!.n)
  const facts = async () => (await warehouse.query('select count(*) as n, count(distinct case_id) as d from support_dw.f_cases')).rows[0]!
  t.like(await facts(), { n: String(await cases()), d: String(await cases()) })

  t.is((await run('demo', 'advance', '--pipeline', 'support')).code, 0)
  // A failure injected after staging: the facts' staging SQL cannot write its table.
  await warehouse.query('alter table staging.case_facts rename column aid to aid_broken')
  const failed = await run('run', 'SupportDW', '--local-scheduler')
  t.is(failed.code, 3, failed.stdout)
  t.regex(failed.stdout, /✗ BuildCaseFacts\(\)/)
  await warehouse.query('alter table staging.case_facts rename column aid_broken to aid')
  const resumed = await run('run', 'SupportDW', '--local-scheduler')
  t.is(resumed.code, 0, resumed.stdout + resumed.stderr)
  t.regex(resumed.stdout, /Already complete: .*/)
  t.notRegex(resumed.stdout, /✓ StageCaseLogs/, 'staged steps are not run again')
  const total = await cases()
  t.like(await facts(), { n: String(total), d: String(total) })
  const { rows } = await warehouse.query('select count(*) as n from (select aid from support_dw.d_analysts where is_active and id <> -1 group by aid having count(*) > 1) x')
  t.is(Number(rows[0]!.n), 0, 'one active version per analyst')
})
