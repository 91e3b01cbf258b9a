-- Index statistics for the staged cases and events, taken once their first load is in (see
-- 010_statistics.sql); InnoDB refreshes them itself as later merges change a small share.
analyze table staging.cases, staging.case_events;
