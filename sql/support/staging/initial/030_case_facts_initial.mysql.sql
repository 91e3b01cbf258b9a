-- Fills the empty staging.case_facts on a first load: every case with its milestones, in one pass
-- over the events. It gives what merge/ gives with every case touched, without working out and
-- filtering by the touched cases, which on a first load are all of them. Each milestone is its
-- first event; the analyst is the one the case was last assigned to.
-- That analyst comes out of the same pass as the milestones: each assignment is packed into one
-- number, its time in seconds times 2^31 plus the analyst's id (ids fit in 31 bits), so the
-- largest is the last assignment, ties going to the larger id, and the id is its remainder. A
-- second pass over millions of events, grouped by case and time, would cost as much again.
-- MySQL and MariaDB: 030_case_facts_initial.sql with the seconds counted by timestampdiff, as they
-- have no epoch to extract (and unix_timestamp would depend on the session's time zone).
insert into staging.case_facts
  (case_id, product_id, priority, created_date, assigned_date, response_date, resolve_date, aid, response_sla_hours, resolve_sla_hours, exec_seq)
select
  c.case_id,
  c.product_id,
  c.priority,
  c.created_at,
  e.assigned_at,
  e.responded_at,
  e.resolved_at,
  cast(e.last_assignment % 2147483648 as signed),
  s.response_hours,
  s.resolve_hours,
  :exec_seq
from staging.cases c
left join (
  select
    case_id,
    min(case when event = 'ASSIGNED' then event_at end) as assigned_at,
    min(case when event = 'RESPONDED' then event_at end) as responded_at,
    min(case when event = 'RESOLVED' then event_at end) as resolved_at,
    max(case when event = 'ASSIGNED' then timestampdiff(second, '1970-01-01 00:00:00', event_at) * 2147483648 + aid end) as last_assignment
  from staging.case_events
  where event <> 'CREATED'
  group by case_id
) e on e.case_id = c.case_id
left join staging.sla s on s.priority = c.priority;
