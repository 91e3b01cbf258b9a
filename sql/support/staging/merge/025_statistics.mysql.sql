-- Fresh index statistics for the touched cases the refresh joins by (see 025_statistics.sql).
analyze table staging.case_touched;
