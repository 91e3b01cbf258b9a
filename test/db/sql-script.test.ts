import test from 'ava'
import { mysqlDialect, postgresDialect, redshiftDialect } from 'etl'

const texts = (statements: { text: string }[]) => statements.map((statement) => statement.text)

test('sql-script: Postgres statements split at ; outside strings, quoted names, comments and dollar-quoted bodies', (t) => {
  const script = `-- a comment; with a semicolon
create table t (x int);
DO $$ BEGIN insert into t values (1); insert into t values (2); END $$;
create function f() returns int language plpgsql as $body$ begin return 1; end $body$;
select 'a;b', "c;d", E'it\\'s;' from t; /* block; comment */ select $1`
  const statements = postgresDialect.splitScript(script)
  t.deepEqual(texts(statements), [
    'create table t (x int)',
    'DO $$ BEGIN insert into t values (1); insert into t values (2); END $$',
    'create function f() returns int language plpgsql as $body$ begin return 1; end $body$',
    `select 'a;b', "c;d", E'it\\'s;' from t`,
    'select $1',
  ])
  t.deepEqual(statements.map((statement) => statement.line), [2, 3, 4, 5, 5])
  t.deepEqual(statements[1]!.pieces.map((piece) => piece.kind), ['code', 'body'])
})

test('sql-script: a MySQL procedure, a MariaDB anonymous block and nested blocks stay whole, with no DELIMITER', (t) => {
  const script = `# a hash comment; here
create definer=\`root\`@\`%\` procedure p(in n int)
begin
  declare i int default 0;
  case n when 1 then set i = 1; else set i = 2; end case;
  if i > 0 then insert into t values (i); end if;
  lbl: loop leave lbl; end loop lbl;
  select case when i > 1 then 'big' else 'small' end;
end;
call p(1);
begin not atomic insert into t values (3); end;
begin;
select "a;b", 'it\\'s;', \`x;y\` from t;`
  t.deepEqual(texts(mysqlDialect.splitScript(script)), [
    `create definer=\`root\`@\`%\` procedure p(in n int)
begin
  declare i int default 0;
  case n when 1 then set i = 1; else set i = 2; end case;
  if i > 0 then insert into t values (i); end if;
  lbl: loop leave lbl; end loop lbl;
  select case when i > 1 then 'big' else 'small' end;
end`,
    'call p(1)',
    'begin not atomic insert into t values (3); end',
    'begin',
    `select "a;b", 'it\\'s;', \`x;y\` from t`,
  ])
})

test('sql-script: Redshift keeps the standard syntax, and a script of comments has no statements', (t) => {
  t.deepEqual(texts(redshiftDialect.splitScript('create procedure p() as $$ begin select 1; end; $$ language plpgsql;\ncall p();')), [
    'create procedure p() as $$ begin select 1; end; $$ language plpgsql',
    'call p()',
  ])
  t.deepEqual(postgresDialect.splitScript('-- nothing\n/* at all */\n;\n'), [])
})
