-- The most popular products (by quantity ordered) in the country with the most logins (access-log lines).
select r.country, r.product_code, r.product_name, sum(r.quantity) as quantity
from pres.report_order_lines r
where r.country = (
  select w.country from pres.report_weblog_access w
  where w.country <> 'Unknown'
  group by w.country
  order by count(*) desc, w.country
  limit 1
)
group by r.country, r.product_code, r.product_name
order by quantity desc, r.product_code
limit 10
