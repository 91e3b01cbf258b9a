-- The five most used devices, by access-log lines.
select device, count(*) as accesses
from pres.report_weblog_access
group by device
order by accesses desc, device
limit 5
