-- pres.v_report_orders: the definition of pres.report_orders (each order with live lines, from
-- pres.report_order_lines: its month, company and country, how many live lines it has and their amount).
-- Every dialect's 031_report_orders file builds the table from it, so the definition lives once.
create schema if not exists pres;
drop view if exists pres.v_report_orders;
create view pres.v_report_orders as
select
  order_no,
  order_datetime,
  order_year,
  order_month,
  company_id,
  country,
  count(*) as line_count,
  sum(line_amount) as order_amount
from pres.report_order_lines
group by order_no, order_datetime, order_year, order_month, company_id, country;
