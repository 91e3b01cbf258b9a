-- pres.report_orders on a Redshift warehouse: rebuilt in full every sequence. The plain file's refresh needs
-- what Redshift lacks (indexes, `create … if not exists … as`, `= any (array(…))`), and a columnar
-- scan makes the full rebuild the usual way there. Keep the select in step with 030_report_orders.sql.
create schema if not exists pres;
drop table if exists pres.report_orders;
create table pres.report_orders as
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
