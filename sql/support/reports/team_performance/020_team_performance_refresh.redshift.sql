-- Team performance per team and month of creation: cases, how many were assigned and resolved,
-- the average and median hours to assign, respond and resolve (and the 90th percentile to resolve),
-- and the share answered and resolved within the priority's SLA. The team is the analyst's team
-- when the case was created (the SCD2 version the fact points at); unassigned cases count under
-- "Unknown". Redshift's form: hours from epoch seconds, as Redshift has no interval aggregates.
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
    (extract(epoch from f.assigned_date) - extract(epoch from f.created_date)) / 3600.0 as assign_h,
    (extract(epoch from f.response_date) - extract(epoch from f.created_date)) / 3600.0 as response_h,
    (extract(epoch from f.resolve_date) - extract(epoch from f.created_date)) / 3600.0 as resolve_h,
    f.response_sla_hours,
    f.resolve_sla_hours
  from support_dw.f_cases f
  join support_dw.d_analysts a on a.id = f.analyst_id
  join support_dw.d_calendar cal on cal.id = f.created_dt_id
  where f.created_dt_id between :from_key and :to_key
)
select
  team,
  year,
  month,
  count(*) as cases,
  count(assign_h) as assigned,
  count(resolve_h) as resolved,
  cast(avg(assign_h) as decimal(12, 2)) as avg_assign_hours,
  cast(percentile_cont(0.5) within group (order by assign_h) as decimal(12, 2)) as median_assign_hours,
  cast(avg(response_h) as decimal(12, 2)) as avg_response_hours,
  cast(percentile_cont(0.5) within group (order by response_h) as decimal(12, 2)) as median_response_hours,
  cast(avg(resolve_h) as decimal(12, 2)) as avg_resolve_hours,
  cast(percentile_cont(0.5) within group (order by resolve_h) as decimal(12, 2)) as median_resolve_hours,
  cast(percentile_cont(0.9) within group (order by resolve_h) as decimal(12, 2)) as p90_resolve_hours,
  cast(100.0 * sum(case when response_h <= response_sla_hours then 1 else 0 end) / nullif(count(response_h), 0) as decimal(5, 1)) as response_within_sla_pct,
  cast(100.0 * sum(case when resolve_h <= resolve_sla_hours then 1 else 0 end) / nullif(count(resolve_h), 0) as decimal(5, 1)) as resolve_within_sla_pct
from c
group by team, year, month;
