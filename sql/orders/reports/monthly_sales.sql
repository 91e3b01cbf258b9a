-- Monthly sales: orders with live lines, and the amount of those lines, by the month of their order.
select order_year, order_month, count(*) as orders, sum(order_amount) as sales
from pres.report_orders
group by order_year, order_month
order by order_year, order_month
