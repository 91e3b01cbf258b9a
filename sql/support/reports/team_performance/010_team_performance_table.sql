-- support_dw.team_performance: the team performance report, one row per team and month of creation,
-- kept so that a sequence recomputes only the months it touched (020). Created once; a rebuild of
-- the facts drops it with them.
create table if not exists support_dw.team_performance (
  team varchar(50),
  year integer,
  month integer,
  cases bigint,
  assigned bigint,
  resolved bigint,
  avg_assign_hours decimal(12, 2),
  median_assign_hours decimal(12, 2),
  avg_response_hours decimal(12, 2),
  median_response_hours decimal(12, 2),
  avg_resolve_hours decimal(12, 2),
  median_resolve_hours decimal(12, 2),
  p90_resolve_hours decimal(12, 2),
  response_within_sla_pct decimal(5, 1),
  resolve_within_sla_pct decimal(5, 1)
);
