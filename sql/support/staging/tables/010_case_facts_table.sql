-- staging.case_facts: one row per case with its milestones from the case logs, the source of
-- support_dw.f_cases. Created once; ../initial/ fills it on the first load, ../merge/ refreshes the cases each later sequence touched.
create table if not exists staging.case_facts (
  case_id integer not null primary key,
  product_id integer,
  priority varchar(2),
  created_date timestamp,
  assigned_date timestamp,
  response_date timestamp,
  resolve_date timestamp,
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
