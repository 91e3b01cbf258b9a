-- Planner statistics for the staged cases and events, taken once their first load is in: without
-- them Postgres would scan every event to find a merge's few. Later merges change a small share of
-- them, which the server's own autovacuum keeps up with.
-- By hand: psql -f <this file>.
analyze staging.cases;
analyze staging.case_events;
