-- Fresh index statistics for what the refresh reads (see 025_statistics.sql).
analyze table staging.cases, staging.case_events, staging.case_touched;
