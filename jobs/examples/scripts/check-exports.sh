#!/bin/sh
# Succeeds when the export folder holds at least one CSV file, and tells etl how many (a line
# name=value in the file $ETL_OUTPUT names becomes the step's result: ${conditions.files}).
dir="$1"
count=$(find "$dir" -maxdepth 1 -name '*.csv' 2>/dev/null | wc -l | tr -d ' ')
if [ "$count" -eq 0 ]; then
  echo "no CSV export in $dir yet" >&2
  exit 1
fi
echo "found $count export file(s) in $dir"
echo "files=$count" >> "$ETL_OUTPUT"
