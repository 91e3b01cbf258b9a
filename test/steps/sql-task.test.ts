import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { DataServices, MARKER_TABLE, SqlTask, build, param, sql, type Database } from 'etl'
import { WAREHOUSES } from '../helpers/warehouses.js'
import { tempDir, uniqueTag, useTempLayout } from '../helpers/sandbox.js'
import { invalidateCommand } from '../../src/cli/commands/invalidate-command.js'
import { TaskRegistry } from '../../src/core/task-registry.js'

test.before(async () => {
  await useTempLayout()
})

async function markerRows(db: Database, updateId: string): Promise<number> {
  if (!(await db.tableExists(MARKER_TABLE))) return 0
  return (await db.query(sql`select 1 as found from ${sql.id(MARKER_TABLE)} where update_id = ${updateId}`)).rows.length
}

class AddNote extends SqlTask.with({ tag: param.string(), note: param.string() }) {
  override sql() {
    return 'insert into notes (tag, note) values (${tag}, ${note});\nselect count(*) as notes from notes where tag = ${tag};'
  }
}

class LoadTwiceThenFail extends SqlTask.with({ tag: param.string(), broken: param.bool({ default: true }) }) {
  override sql() {
    return [`insert into rows_loaded (tag) values (\${tag}); insert into rows_loaded (tag) values (\${tag})`, this.params.broken ? 'insert into no_such_table values (1)' : 'select 1 as fixed']
  }
}

class Procedures extends SqlTask.with({ tag: param.string(), n: param.int() }) {}

class PostgresProcedures extends Procedures {
  override sql() {
    return `
      -- an anonymous block, whose inner statements end with ; too
      do $$
      begin
        insert into numbers (n) values (1);
        insert into numbers (n) values (2);
      end
      $$;
      create or replace procedure add_number(value int)
      language plpgsql
      as $body$
      begin
        insert into numbers (n) values (value);
      end
      $body$;
      call add_number(\${n});`
  }
}

class MariadbProcedures extends Procedures {
  override sql() {
    return `
      # a stored procedure and an anonymous block, with no DELIMITER lines
      drop procedure if exists add_numbers;
      create procedure add_numbers(in value int)
      begin
        declare i int default 0;
        while i < 2 do
          insert into numbers (n) values (value + i);
          set i = i + 1;
        end while;
        if value > 0 then insert into numbers (n) values (-value); end if;
      end;
      call add_numbers(\${n});
      begin not atomic
        insert into numbers (n) values (1);
        insert into numbers (n) values (2);
      end;`
  }
}

class Renames extends SqlTask.with({ tag: param.string(), table: param.string() }) {
  override sql() {
    return 'insert into ${table:ident} (tag) values (${tag})'
  }
}

class QuotedPlaceholder extends SqlTask.with({ tag: param.string() }) {
  override sql() {
    return "select '${tag}' as tag"
  }
}

class FromFile extends SqlTask.with({ tag: param.string(), file: param.string() }) {
  override transaction = false
  override sqlFile: string | undefined = this.params.file
}

for (const [dialect, openWarehouse] of Object.entries(WAREHOUSES)) {
  test(`sql-task: ${dialect}: a parameter is bound, never spliced: '; drop table x; -- lands as text and the table stays`, async (t) => {
    const warehouse = await openWarehouse()
    try {
      await warehouse.db.query('create table notes (tag varchar(20), note varchar(200))')
      await warehouse.db.query('create table x (id int)')
      const note = "'; drop table x; --"
      const tag = uniqueTag()
      const summary = await build(new AddNote({ tag, note }), { data: warehouse.data })
      t.is(summary.outcome, 'ok', JSON.stringify(summary.failed))
      t.deepEqual((await warehouse.db.query('select note from notes')).rows.map((row) => row.note), [note])
      t.true(await warehouse.db.tableExists('x'))
      t.like(summary.ran[0]!.result, { statements: 2, notes: '1' })
    } finally {
      await warehouse.drop()
    }
  })

  test(`sql-task: ${dialect}: a SqlTask that fails mid-way leaves neither its rows nor its marker; once fixed it runs once`, async (t) => {
    const warehouse = await openWarehouse()
    try {
      await warehouse.db.query('create table rows_loaded (tag varchar(20))')
      const tag = uniqueTag()
      const broken = new LoadTwiceThenFail({ tag })
      const failed = await build(broken, { data: warehouse.data })
      t.is(failed.outcome, 'task-failed')
      t.regex(failed.failed[0]!.error!, /LoadTwiceThenFail\(connection=warehouse, tag=\w+, broken=true\): statement at line 1: connection "warehouse"/)
      t.is((await warehouse.db.query('select tag from rows_loaded')).rows.length, 0)
      t.is(await markerRows(warehouse.db, broken.id), 0)
      const fixed = new LoadTwiceThenFail({ tag, broken: false })
      t.is((await build(fixed, { data: warehouse.data })).outcome, 'ok')
      t.is(await markerRows(warehouse.db, fixed.id), 1)
      const again = await build(fixed, { data: warehouse.data })
      t.is(again.ran.length, 0, 'complete by its marker row')
      t.is((await warehouse.db.query('select tag from rows_loaded')).rows.length, 2)
    } finally {
      await warehouse.drop()
    }
  })

  test(`sql-task: ${dialect}: etl invalidate removes the marker row with the file marker, so the task runs again`, async (t) => {
    const warehouse = await openWarehouse()
    try {
      await warehouse.db.query('create table notes (tag varchar(20), note varchar(200))')
      const task = new AddNote({ tag: uniqueTag(), note: 'again' })
      t.is((await build(task, { data: warehouse.data })).outcome, 'ok')
      const ctx = { data: warehouse.data, db: (name: string) => warehouse.data.database(name) }
      const registry = TaskRegistry.fromModule({ AddNote })
      const dry = await invalidateCommand(task, registry, { downstream: false, dryRun: true }, ctx)
      t.regex(dry.output, /would invalidate AddNote\(.*\): .*etl_table_updates\[AddNote /)
      t.is(await markerRows(warehouse.db, task.id), 1, 'a dry run removes nothing')
      const done = await invalidateCommand(task, registry, { downstream: false, dryRun: false }, ctx)
      t.regex(done.output, /1 task invalidated/)
      t.is(done.failed, 0)
      t.is(await markerRows(warehouse.db, task.id), 0)
      t.is((await build(task, { data: warehouse.data })).ran.length, 1)
      t.is((await warehouse.db.query('select note from notes')).rows.length, 2)
    } finally {
      await warehouse.drop()
    }
  })

  test(`sql-task: ${dialect}: a name placeholder is checked and quoted, and a placeholder inside quotes is refused before anything runs`, async (t) => {
    const warehouse = await openWarehouse()
    try {
      await warehouse.db.query('create table target_rows (tag varchar(20))')
      const tag = uniqueTag()
      t.is((await build(new Renames({ tag, table: 'target_rows' }), { data: warehouse.data })).outcome, 'ok')
      t.is((await warehouse.db.query('select tag from target_rows')).rows.length, 1)
      const bad = await build(new Renames({ tag, table: 'target_rows; drop table target_rows' }), { data: warehouse.data })
      t.regex(bad.failed[0]!.error!, /placeholder \$\{table:ident\} must be a SQL name \(letters, digits and _/)
      t.true(await warehouse.db.tableExists('target_rows'))
      const quoted = await build(new QuotedPlaceholder({ tag }), { data: warehouse.data })
      t.regex(quoted.failed[0]!.error!, /placeholder \$\{tag\} is inside the quoted string '\$\{tag\}', where a bound value cannot go; write it without the quotes/)
    } finally {
      await warehouse.drop()
    }
  })

  test(`sql-task: ${dialect}: a .sql file runs statement by statement without a transaction when told, its dialect variant first`, async (t) => {
    const warehouse = await openWarehouse()
    try {
      const dir = await tempDir()
      const file = path.join(dir, 'load.sql')
      await fs.writeFile(file, 'create table from_file (v varchar(20));\ninsert into from_file values (${tag});\n')
      await fs.writeFile(path.join(dir, 'load.mysql.sql'), 'create table from_file (v varchar(20));\ninsert into from_file values (concat(${tag}, \'-mysql\'));\n')
      const tag = uniqueTag()
      const task = new FromFile({ tag, file })
      t.is((await build(task, { data: warehouse.data })).outcome, 'ok')
      const values = (await warehouse.db.query('select v from from_file')).rows.map((row) => row.v)
      t.deepEqual(values, [dialect === 'mariadb' ? `${tag}-mysql` : tag])
      t.is(await markerRows(warehouse.db, task.id), 1)
    } finally {
      await warehouse.drop()
    }
  })
}

for (const [dialect, Task] of [['postgres', PostgresProcedures], ['pglite', PostgresProcedures], ['mariadb', MariadbProcedures]] as const) {
  test(`sql-task: ${dialect}: stored procedures and anonymous blocks run as single statements`, async (t) => {
    const warehouse = await WAREHOUSES[dialect]!()
    try {
      await warehouse.db.query('create table numbers (n int)')
      const summary = await build(new Task({ tag: uniqueTag(), n: 7 }), { data: warehouse.data })
      t.is(summary.outcome, 'ok', JSON.stringify(summary.failed))
      const numbers = (await warehouse.db.query('select n from numbers order by n')).rows.map((row) => Number(row.n))
      t.deepEqual(numbers, dialect === 'mariadb' ? [-7, 1, 2, 7, 8] : [1, 2, 7])
    } finally {
      await warehouse.drop()
    }
  })
}

test('sql-task: etl invalidate of a SqlTask whose warehouse is down says so and counts it, and removes nothing of it', async (t) => {
  const data = new DataServices({ connections: { warehouse: { dialect: 'postgres', host: '127.0.0.1', port: 1, user: 'postgres', database: 'test' } } })
  t.teardown(() => data.close())
  const task = new AddNote({ tag: uniqueTag(), note: 'kept' })
  await task.marker().write('{}')
  const result = await invalidateCommand(task, TaskRegistry.fromModule({ AddNote }), { downstream: false, dryRun: false }, { data, db: (name) => data.database(name) })
  t.is(result.failed, 1)
  t.regex(result.output, /could not invalidate AddNote\(.*\): cannot reach connection "warehouse"/)
  t.regex(result.output, /1 task could not be invalidated: fix what is said above and run the same command again\./)
  t.true(await task.marker().exists(), 'its output marker stays until its marker row can go first')
})

