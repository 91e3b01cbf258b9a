-- pres.report_weblog_access on a Redshift warehouse: rebuilt in full every sequence. The plain file's refresh needs
-- what Redshift lacks (indexes, `create … if not exists … as`, `= any (array(…))`), and a columnar
-- scan makes the full rebuild the usual way there. Keep the select in step with 020_report_weblog_access.sql.
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
