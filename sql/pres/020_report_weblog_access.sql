-- pres.report_weblog_access: every parsed access-log line with its device, country and converted time.
create schema if not exists pres;
drop table if exists pres.report_weblog_access;
create table pres.report_weblog_access as
select
  line_no,
  ip,
  username,
  request_timestamp_converted as request_datetime,
  method,
  path,
  status,
  device,
  country
from store.weblog_access;
