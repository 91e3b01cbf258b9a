-- Team performance per team and month of creation (see team_performance.sql) on MySQL and
-- MariaDB: hours by timestampdiff, and the percentiles through MariaDB's window form of
-- percentile_cont, taken once per group.
-- Refreshes the months from :from_month to :to_month (YYYYMM; every month on a first load), whose
-- cases' calendar keys run from :from_key to :to_key: the months a sequence touched, so a periodic
-- merge recomputes what it changed rather than every month's percentiles.
delete from support_dw.team_performance where year * 100 + month between :from_month and :to_month;

insert into support_dw.team_performance (team, year, month, cases, assigned, resolved, avg_assign_hours, median_assign_hours, avg_response_hours, median_response_hours, avg_resolve_hours, median_resolve_hours, p90_resolve_hours, response_within_sla_pct, resolve_within_sla_pct)
with c as (
  select
    a.team,
    cal.year,
    cal.month,
    timestampdiff(microsecond, f.created_date, f.assigned_date) / 3600000000.0 as assign_h,
    timestampdiff(microsecond, f.created_date, f.response_date) / 3600000000.0 as response_h,
    timestampdiff(microsecond, f.created_date, f.resolve_date) / 3600000000.0 as resolve_h,
    f.response_sla_hours,
    f.resolve_sla_hours
  from support_dw.f_cases f
  join support_dw.d_analysts a on a.id = f.analyst_id
  join support_dw.d_calendar cal on cal.id = f.created_dt_id
  where f.created_dt_id between :from_key and :to_key
),
p as (
  select
    c.*,
    percentile_cont(0.5) within group (order by assign_h) over (partition by team, year, month) as med_assign,
    percentile_cont(0.5) within group (order by response_h) over (partition by team, year, month) as med_response,
    percentile_cont(0.5) within group (order by resolve_h) over (partition by team, year, month) as med_resolve,
    percentile_cont(0.9) within group (order by resolve_h) over (partition by team, year, month) as p90_resolve
  from c
)
select
  team,
  year,
  month,
  count(*) as cases,
  count(assign_h) as assigned,
  count(resolve_h) as resolved,
  cast(avg(assign_h) as decimal(12, 2)) as avg_assign_hours,
  cast(max(med_assign) as decimal(12, 2)) as median_assign_hours,
  cast(avg(response_h) as decimal(12, 2)) as avg_response_hours,
  cast(max(med_response) as decimal(12, 2)) as median_response_hours,
  cast(avg(resolve_h) as decimal(12, 2)) as avg_resolve_hours,
  cast(max(med_resolve) as decimal(12, 2)) as median_resolve_hours,
  cast(max(p90_resolve) as decimal(12, 2)) as p90_resolve_hours,
  cast(100.0 * sum(case when response_h <= response_sla_hours then 1 else 0 end) / nullif(count(response_h), 0) as decimal(5, 1)) as response_within_sla_pct,
  cast(100.0 * sum(case when resolve_h <= resolve_sla_hours then 1 else 0 end) / nullif(count(resolve_h), 0) as decimal(5, 1)) as resolve_within_sla_pct
from p
group by team, year, month;
