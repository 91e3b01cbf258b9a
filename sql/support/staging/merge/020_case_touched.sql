-- staging.case_touched: the cases execution sequence :exec_seq touched (a new or changed case, or
-- new log events of one), worked out once for the refresh in 030.
-- By hand: psql -1 -v exec_seq=<n> -f <this file>.
delete from staging.case_touched;

insert into staging.case_touched (case_id)
select case_id from staging.cases where exec_seq = :exec_seq
union
select case_id from staging.case_events where exec_seq = :exec_seq;
