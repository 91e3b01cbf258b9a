-- pres.report_orders: each order with live lines, from pres.report_order_lines (011 runs first): its
-- month, company and country, how many live lines it has and their amount. Reports that count orders
-- read these 1 in ~5 rows instead of counting distinct orders over every line.
--
-- Refreshed like 011_report_order_lines.sql, from the view in 030_report_orders_view.sql, with the same
-- changed orders: a run replaces only the orders that execution sequence :exec_seq touched; a missing
-- or empty table is built in full. After 011's table is rebuilt in full (its definition changed), drop
-- this one too.

-- The full build, when the table is missing.
create table if not exists pres.report_orders as select * from pres.v_report_orders;

-- The refresh, skipped (at no cost) in the first sequence and while the table is empty.
delete from pres.report_orders
where order_no = any (array(select order_no from pres.v_report_order_lines_changes where exec_seq = :exec_seq))
  and exists (select 1 from control.etl_sequence where pipeline = 'orders' and exec_seq < :exec_seq)
  and exists (select 1 from pres.report_orders);

insert into pres.report_orders
select * from pres.v_report_orders
where order_no = any (array(select order_no from pres.v_report_order_lines_changes where exec_seq = :exec_seq))
  and exists (select 1 from control.etl_sequence where pipeline = 'orders' and exec_seq < :exec_seq)
  and exists (select 1 from pres.report_orders);

-- The full build again, for a table that is there but empty.
insert into pres.report_orders
select * from pres.v_report_orders
where not exists (select 1 from pres.report_orders);

-- After the full build: one sort beats maintaining the index row by row.
create index if not exists report_orders_order_no on pres.report_orders (order_no);
