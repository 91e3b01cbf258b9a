-- Fresh planner statistics for the touched cases the refresh joins by, worked out just now: a
-- handful of rows or every case, which the planner cannot know without them. The staged cases and
-- events got theirs with their first load (../statistics/).
analyze staging.case_touched;
