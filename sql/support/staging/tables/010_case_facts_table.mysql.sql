-- staging.case_facts on MySQL and MariaDB: datetime, as a MySQL timestamp would update itself,
-- default to zero and end in 2038.
create table if not exists staging.case_facts (
  case_id integer not null primary key,
  product_id integer,
  priority varchar(2),
  created_date datetime(6) null,
  assigned_date datetime(6) null,
  response_date datetime(6) null,
  resolve_date datetime(6) null,
  aid integer,
  response_sla_hours integer,
  resolve_sla_hours integer,
  exec_seq bigint not null
);

-- The cases a sequence touched, worked out once per sequence (020_case_touched.sql) and read
-- several times by the refresh: a work table, not a temporary one, as MySQL cannot read a
-- temporary table twice in one statement.
create table if not exists staging.case_touched (
  case_id integer not null primary key
);
