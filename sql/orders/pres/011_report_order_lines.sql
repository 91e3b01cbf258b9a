-- pres.report_order_lines: each live order line with its order, customer, company, product and supplier.
--
-- Refreshed, not rebuilt: a run deletes and re-selects only the orders that execution sequence
-- :exec_seq touched, found through the landing rows that arrived with it (a header or line of the
-- order, or its company, customer, product or supplier). A missing or empty table is built in full.
-- Either way the table ends up as a full build would leave it. After changing the definition (the view
-- in 010_report_order_lines_view.sql), drop the table (cascade: pres.v_report_orders reads it, and is
-- made again) and pres.report_orders: the next run builds both in full.
-- By hand: psql -1 -v exec_seq=<n> -f <this file>.

-- The orders the sequence touched. Every store change arrives through landing with its sequence, so
-- these are all the orders whose rows in the table can differ from a full build's.
drop view if exists pres.v_report_order_lines_changes;
create view pres.v_report_order_lines_changes as
select l.exec_seq, l.order_no from landing.order_lines l
union all select h.exec_seq, h.order_no from landing.order_headers h
union all select c.exec_seq, oh.order_no from landing.companies c join store.order_headers oh on oh.company_id = c.company_id
union all select cu.exec_seq, oh.order_no from landing.customers cu join store.order_headers oh on oh.customer_document_no = cu.customer_document_no
union all select p.exec_seq, ol.order_no from landing.products p join store.order_lines ol on ol.supplier_id = p.supplier_id and ol.product_code = p.product_code
union all select s.exec_seq, ol.order_no from landing.companies s join store.order_lines ol on ol.supplier_id = s.company_id;

-- The full build, when the table is missing.
create table if not exists pres.report_order_lines as select * from pres.v_report_order_lines;

-- The refresh, skipped (at no cost) in the first sequence, where every order is new and the table was
-- just built, and while the table is empty. `= any (array(...))` looks the orders up through the index
-- however many the planner guesses there are: with no statistics (PGlite never gathers them by itself)
-- a join would guess thousands of lines per order and read the whole table.
delete from pres.report_order_lines
where order_no = any (array(select order_no from pres.v_report_order_lines_changes where exec_seq = :exec_seq))
  and exists (select 1 from control.etl_sequence where pipeline = 'orders' and exec_seq < :exec_seq)
  and exists (select 1 from pres.report_order_lines);

insert into pres.report_order_lines
select * from pres.v_report_order_lines
where order_no = any (array(select order_no from pres.v_report_order_lines_changes where exec_seq = :exec_seq))
  and exists (select 1 from control.etl_sequence where pipeline = 'orders' and exec_seq < :exec_seq)
  and exists (select 1 from pres.report_order_lines);

-- The full build again, for a table that is there but empty.
insert into pres.report_order_lines
select * from pres.v_report_order_lines
where not exists (select 1 from pres.report_order_lines);

-- Indexes after the full build (one sort beats maintaining them row by row): the refresh finds a
-- sequence's orders through these, instead of reading whole tables.
create index if not exists report_order_lines_order_no on pres.report_order_lines (order_no);
create index if not exists pres_order_headers_company on store.order_headers (company_id);
create index if not exists pres_order_headers_customer on store.order_headers (customer_document_no);
create index if not exists pres_order_lines_supplier_product on store.order_lines (supplier_id, product_code);
