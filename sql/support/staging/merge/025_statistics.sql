-- Fresh planner statistics for what the refresh reads: the tables were just loaded (millions of
-- events on a first load), and without them Postgres scans every event to find a merge's few.
analyze staging.cases;
analyze staging.case_events;
analyze staging.case_touched;
