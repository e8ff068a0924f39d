#!/usr/bin/env bash
# `ladle stats`: totals, field counts equal to a shell count, the same
# report for any threads or chunk size, missing fields, usage errors.
. "$(dirname "$0")/lib.sh"
L=$LADLE
make_log "$T/a.log" 30000 5
zstd -q "$T/a.log" -o "$T/a.zst"
records=$($L stats "$T/a.zst" | sed -n 's/^records *//p')
expect_eq "records" "$(wc -l <"$T/a.log" | tr -d ' ')" "$records"
want=$(grep -o '"level":"[A-Z]*"' "$T/a.log" | sed 's/.*:"//; s/"//' | sort | uniq -c | sort -k1,1nr -k2 | awk '{print $2, $1}')
got=$($L stats --field level --no-bars "$T/a.log" | sed -n '/^top/,$p' | tail -n +2 | awk '{print $1, $2}')
expect_eq "level counts" "$want" "$got"
ref=$($L stats --field user -k 20 --no-bars -t 1 "$T/a.log" | tail -n +4)
for t in 2 3; do
    expect_eq "-t $t" "$ref" "$($L stats --field user -k 20 --no-bars -t $t --chunk-size 8K "$T/a.zst" | tail -n +4)"
done
printf 'a\tb\nx\t1\ny\nz\t2\n' >"$T/t.tsv"
out=$($L stats --format tsv --header --field b --no-bars "$T/t.tsv")
echo "$out" | grep -q '^missing *1 records' && pass || fail "missing count: $out"
echo "$out" | grep -q '^distinct *2 (exact)' && pass || fail "distinct: $out"
echo "$out" | grep -q '^a' && fail "header printed in stats" || pass
expect_rc 2 $L stats --top x "$T/a.log"
expect_rc 2 $L stats --bogus "$T/a.log"
expect_rc 3 $L stats --field level "$T/nosuch"
expect_stderr_match "^ladle: $T/nosuch: cannot open"
if [ -r "${LADLE_SHARED:-/nonexistent}/realdata/loghub/BGL_2k.log_structured.csv" ]; then
    got=$($L stats --format csv --header --field Label --no-bars "$LADLE_SHARED/realdata/loghub/BGL_2k.log_structured.csv" | awk '$1 == "-" {print $2}')
    expect_eq "BGL normal lines" 1857 "$got"
fi
finish
