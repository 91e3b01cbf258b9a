-- Monthly sales: live order lines by the month of their order.
select order_year, order_month, count(distinct order_no) as orders, sum(line_amount) as sales
from pres.report_order_lines
group by order_year, order_month
order by order_year, order_month
