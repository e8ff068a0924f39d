#!/usr/bin/env bash
# Timestamps as logs write them (issue 9, item 2): `ladle split --time-field`
# with --time-format, --tz, date and time in separate columns, the DB2
# (BGL) and asctime (Apache) forms read without a format, and the bare
# number trap: HDFS's Date=081109 was read as epoch second 81109 (every
# record in the first split, rc 0); now it is an input error that says
# why. Expected split sizes come from the generated clock times (date -u),
# not from ladle.
. "$(dirname "$0")/lib.sh"
L=$LADLE
cd "$T" || exit 1

# 200 records, 613 s apart from 2008-11-09 20:00:00 UTC (to 2008-11-11 09:53).
base=1226260800
{
    echo 'LineId,Date,Time,Stamp,Db2,Asctime,Content'
    for i in $(seq 0 199); do
        t=$((base + i * 613))
        printf '%d,%s,%s,%s,%s,%s,x %d\n' "$i" "$(date -u -d "@$t" '+%y%m%d,%H%M%S')" "$t" \
            "$(date -u -d "@$t" '+%Y-%m-%d-%H.%M.%S.123456')" \
            "$(date -u -d "@$t" '+%a %b %e %H:%M:%S %Y')" "$i"
    done
} >h.csv
before() { # CUTOFF_EPOCH: records of h.csv before it
    local n=0 i
    for i in $(seq 0 199); do [ $((base + i * 613)) -lt "$1" ] && n=$((n + 1)); done
    echo "$n"
}
cut=1226275200 # 2008-11-10T00:00:00Z
early=$(before $cut)

records() { # DIR SPLIT
    local f n=0
    for f in "$1/$2"/part-*.zst; do
        [ -e "$f" ] && n=$((n + $(zstd -dcq "$f" | wc -l) - 1)) # less the header line
    done
    echo "$n"
}

# split_counts WHAT EARLY ARGS...: a two-way time split of h.csv, exit 0,
# EARLY records in "early" and the rest in "late".
split_counts() {
    local what=$1 want=$2
    shift 2
    rm -rf ds
    run "$L" split -o ds --format csv --header --ratios early,late "$@" h.csv
    if [ "$RC" != 0 ]; then
        fail "$what: $LAST_CMD" "exit $RC" "stderr: $(head -c 600 "$T/err")"
        return
    fi
    expect_eq "$what: early" "$want" "$(records ds early)"
    expect_eq "$what: late" "$((200 - want))" "$(records ds late)"
}

# The trap: a 6-digit date is not epoch seconds.
expect_rc 3 "$L" split -o ds --format csv --header --ratios early,late --time-field Date \
    --cutoffs 2008-11-10 h.csv
expect_stderr_match "^ladle: h\.csv: field 'Date' value '081109' is a bare number of 6 digits, not an epoch time \(10\+ digits\) -- give --time-format \(%y%m%d\?\).*\(record at offset [0-9]+\)$"
expect_true "081109: no dataset left behind" test ! -e ds/manifest.json
# ... also under --missing skip: no policy makes such a column readable.
expect_rc 3 "$L" split -o ds --format csv --header --ratios early,late --time-field Date \
    --cutoffs 2008-11-10 --missing skip h.csv

# Date and time columns, with the format that reads them.
split_counts "Date,Time %y%m%d %H%M%S" "$early" --time-field Date,Time \
    --time-format '%y%m%d %H%M%S' --cutoffs 2008-11-10
split_counts "Date alone %y%m%d" "$early" --time-field Date --time-format '%y%m%d' \
    --cutoffs 2008-11-10
# BGL's DB2 stamps and Apache's asctime, without a format.
split_counts "BGL-style Db2" "$early" --time-field Db2 --cutoffs 2008-11-10
split_counts "asctime" "$early" --time-field Asctime --cutoffs 2008-11-10
# Epoch seconds (10 digits) still need nothing.
split_counts "epoch Stamp" "$early" --time-field Stamp --cutoffs 2008-11-10

# --tz: zone-less values are that zone's wall clock. In +01:00 the cutoff
# 2008-11-10T00:00Z is 01:00 local, so records up to 01:00 local are early.
split_counts "--tz +01:00" "$(before $((cut + 3600)))" --time-field Date,Time \
    --time-format '%y%m%d %H%M%S' --tz +01:00 --cutoffs 2008-11-10T00:00:00Z
split_counts "--tz -0530 on Db2" "$(before $((cut + 43200 - 19800)))" --time-field Db2 --tz -0530 \
    --cutoffs 2008-11-10T12:00:00Z
# zone-less cutoffs are read in --tz too: the same instant
split_counts "--tz +01:00, zone-less cutoff" "$(before $((cut + 3600)))" --time-field Db2 \
    --tz +01:00 --cutoffs 2008-11-10T01:00:00
# an explicit zone in the value wins over --tz
printf '{"t":"2024-03-05T23:30:00Z"}\n{"t":"2024-03-05T23:30:00"}\n' >z.jsonl
rm -rf dz
run "$L" split -o dz --ratios a,b --time-field t --tz -05:00 --cutoffs 2024-03-06T00:00:00Z z.jsonl
expect_eq "a value's own zone wins over --tz: exit" 0 "$RC"
expect_eq "a value's own zone wins over --tz: a" '{"t":"2024-03-05T23:30:00Z"}' "$(zstd -dcq dz/a/part-*.zst)"
if [ -f "${TZDIR:-/usr/share/zoneinfo}/Europe/Paris" ]; then
    # November: Paris is +01:00
    split_counts "--tz Europe/Paris" "$(before $((cut + 3600)))" --time-field Date,Time \
        --time-format '%y%m%d %H%M%S' --tz Europe/Paris --cutoffs 2008-11-10T00:00:00Z
else
    note "no zoneinfo: --tz Europe/Paris not tried"
fi

# Usage errors name what is wrong.
expect_rc 2 "$L" split -o ds --format csv --header --ratios early,late --time-field Date \
    --time-format '%y%q' --cutoffs 2008-11-10 h.csv
expect_stderr_match "^ladle: --time-format: unknown directive %q in '%y%q'"
expect_rc 2 "$L" split -o ds --format csv --header --ratios early,late --time-field Date \
    --tz Mars/Olympus --cutoffs 2008-11-10 h.csv
expect_stderr_match "^ladle: --tz: no zone 'Mars/Olympus'"
expect_rc 2 "$L" split -o ds --format csv --header --ratios early,late --time-field Date,Time,Stamp,Db2 \
    --cutoffs 2008-11-10 h.csv
expect_stderr_match "^ladle: --time-field: 'Date,Time,Stamp,Db2' is not 1 to 3 field names"
expect_rc 2 "$L" split -o ds --format csv --header --ratios early=0.5,late=0.5 --tz UTC h.csv
expect_stderr_match "^ladle: --time-format and --tz go with --time-field FIELD"

# An 8-digit compact date suggests its format; Date,Time without one is explained.
printf '{"d":"20240305"}\n{"d":"20240306"}\n' >c.jsonl
rm -rf ds
expect_rc 3 "$L" split -o ds --ratios a,b --time-field d --cutoffs 2024-03-06 c.jsonl
expect_stderr_match "value '20240305' is a bare number of 8 digits, not an epoch time \(10\+ digits\) -- give --time-format \(%Y%m%d\?\)"
rm -rf ds
run "$L" split -o ds --ratios a,b --time-field d --time-format %Y%m%d --cutoffs 2024-03-06 c.jsonl
expect_eq "%Y%m%d: exit" 0 "$RC"
expect_rc 3 "$L" split -o ds2 --format csv --header --ratios early,late --time-field Date,Time \
    --cutoffs 2008-11-10 h.csv
expect_stderr_match "value '081109 200000' is numbers apart from blanks"
# Syslog's year-less stamps need a format (and are then read in 1970).
printf '{"t":"Jun 14 15:16:01"}\n{"t":"Jul  1 09:00:55"}\n' >s.jsonl
expect_rc 3 "$L" split -o ds3 --ratios a,b --time-field t --cutoffs 1970-06-20 s.jsonl
expect_stderr_match "value 'Jun 14 15:16:01' has no year \(syslog\) -- give --time-format '%b %d %H:%M:%S'"
rm -rf ds3
run "$L" split -o ds3 --ratios a,b --time-field t --time-format '%b %d %H:%M:%S' --cutoffs 1970-06-20 s.jsonl
expect_eq "syslog with a format: exit" 0 "$RC"
expect_eq "syslog with a format: a" 1 "$(zstd -dcq ds3/a/part-*.zst | wc -l)"
# 13-digit epoch milliseconds still work without a format.
printf '{"t":1700000000123}\n{"t":1700000100000}\n' >m.jsonl
rm -rf ds4
run "$L" split -o ds4 --ratios a,b --time-field t --cutoffs 1700000050 m.jsonl
expect_eq "epoch ms: exit" 0 "$RC"
expect_eq "epoch ms: a" 1 "$(zstd -dcq ds4/a/part-*.zst | wc -l)"
# A malformed value (not a form question) still follows --missing.
printf '{"t":"2024-13-45"}\n{"t":"2023-12-31"}\n{"t":"2024-03-05"}\n' >b.jsonl
rm -rf ds5
run "$L" split -o ds5 --ratios a,b --time-field t --cutoffs 2024-01-01 --missing skip b.jsonl
expect_eq "malformed under --missing skip: exit" 0 "$RC"
expect_rc 3 "$L" split -o ds6 --ratios a,b --time-field t --cutoffs 2024-01-01 --missing error b.jsonl
expect_stderr_match "value '2024-13-45' is not a timestamp .*; see --missing\)$"
finish
