-- Refreshes staging.case_facts for the cases execution sequence :exec_seq touched: a new or changed
-- case, or new log events of one (an earlier case assigned, answered or resolved since). Each
-- milestone is its first event; the analyst is the one the case was last assigned to. Cases whose
-- events came before the case itself reached staging are taken when it arrives (its row is touched).
-- The touched cases come from staging.case_touched (020), and every read of
-- staging.case_events is limited to them, so a periodic merge costs what it touches, not the whole
-- history of events.
-- By hand: psql -1 -v exec_seq=<n> -f <this file>.
delete from staging.case_facts
where case_id in (select case_id from staging.case_touched);

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
  a.aid,
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
    max(case when event = 'ASSIGNED' then event_at end) as last_assigned_at
  from staging.case_events
  where case_id in (select case_id from staging.case_touched)
  group by case_id
) e on e.case_id = c.case_id
left join (
  select case_id, event_at, max(aid) as aid
  from staging.case_events
  where event = 'ASSIGNED' and case_id in (select case_id from staging.case_touched)
  group by case_id, event_at
) a on a.case_id = c.case_id and a.event_at = e.last_assigned_at
left join staging.sla s on s.priority = c.priority
where c.case_id in (select case_id from staging.case_touched);

-- Emptied again, so the next sequence does not pay for deleting this one's (a first load touches every case).
delete from staging.case_touched;
