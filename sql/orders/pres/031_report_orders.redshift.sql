-- pres.report_orders on a Redshift warehouse: rebuilt in full every sequence from pres.v_report_orders. The plain
-- file's refresh needs what Redshift lacks (indexes, `create … if not exists … as`, `= any (array(…))`),
-- and a columnar scan makes the full rebuild the usual way there. Cascade: views reading the table go
-- with it and are made again by their own files, which run after this one.
drop table if exists pres.report_orders cascade;
create table pres.report_orders as select * from pres.v_report_orders;
