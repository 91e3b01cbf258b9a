-- pres.report_weblog_access: every parsed access-log line with its device, country and converted time.
--
-- Refreshed like 011_report_order_lines.sql, from the view in 020_report_weblog_access_view.sql: a run
-- replaces only the lines that arrived in landing with execution sequence :exec_seq; a missing or
-- empty table is built in full.

-- The full build, when the table is missing.
create table if not exists pres.report_weblog_access as select * from pres.v_report_weblog_access;

-- The refresh, skipped (at no cost) in the first sequence and while the table is empty.
delete from pres.report_weblog_access
where line_no = any (array(select line_no from landing.weblog_access where exec_seq = :exec_seq))
  and exists (select 1 from control.etl_sequence where pipeline = 'orders' and exec_seq < :exec_seq)
  and exists (select 1 from pres.report_weblog_access);

insert into pres.report_weblog_access
select * from pres.v_report_weblog_access
where line_no = any (array(select line_no from landing.weblog_access where exec_seq = :exec_seq))
  and exists (select 1 from control.etl_sequence where pipeline = 'orders' and exec_seq < :exec_seq)
  and exists (select 1 from pres.report_weblog_access);

-- The full build again, for a table that is there but empty.
insert into pres.report_weblog_access
select * from pres.v_report_weblog_access
where not exists (select 1 from pres.report_weblog_access);

-- After the full build: one sort beats maintaining the index row by row.
create index if not exists report_weblog_access_line_no on pres.report_weblog_access (line_no);
