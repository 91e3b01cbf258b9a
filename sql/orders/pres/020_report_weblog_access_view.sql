-- pres.v_report_weblog_access: the definition of pres.report_weblog_access (every parsed access-log line with its device, country and converted time).
-- Every dialect's 021_report_weblog_access file builds the table from it, so the definition lives once.
create schema if not exists pres;
drop view if exists pres.v_report_weblog_access;
create view pres.v_report_weblog_access as
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
