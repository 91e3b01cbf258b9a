-- pres.v_report_order_lines: the definition of pres.report_order_lines (each live order line with its order, customer, company, product and supplier).
-- Every dialect's 011_report_order_lines file builds the table from it, so the definition lives once.
create schema if not exists pres;
drop view if exists pres.v_report_order_lines;
create view pres.v_report_order_lines as
select
  ol.order_no,
  ol.order_line_no,
  oh.order_datetime,
  extract(year from oh.order_datetime) as order_year,
  extract(month from oh.order_datetime) as order_month,
  oh.status as order_status,
  oh.company_id,
  c.company_name,
  c.country,
  oh.customer_document_no,
  cu.username,
  ol.product_code,
  p.product_name,
  p.category,
  ol.supplier_id,
  s.company_name as supplier_name,
  ol.quantity,
  ol.unit_price,
  ol.quantity * ol.unit_price as line_amount
from store.order_lines ol
join store.order_headers oh on oh.order_no = ol.order_no
left join store.companies c on c.company_id = oh.company_id
left join store.customers cu on cu.customer_document_no = oh.customer_document_no
left join store.products p on p.product_code = ol.product_code and p.supplier_id = ol.supplier_id
left join store.companies s on s.company_id = ol.supplier_id
where ol.is_deleted = false and oh.is_deleted = false;
