#!/usr/bin/env bash
# `ladle stats`: totals, field counts equal to a shell count, the same
# report for any threads or chunk size, missing fields, usage errors; for
# scripts (issue 9, item 5): --json with whole values, --tsv escaping,
# several -f in one pass, the numeric summary, -v, --width; verify -v.
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
# ---- --json: one object, values whole (a 300-byte value is not cut) ----
long=$(head -c 300 /dev/zero | tr '\0' 'v')
{ for i in 1 2 3; do printf '{"k":"%s","n":%d}\n' "$long" "$i"; done
  printf '{"k":"short","n":-4.5}\n'; } >"$T/long.jsonl"
expect_rc 0 $L stats --json -f k -f n "$T/long.jsonl"
cp "$T/out" "$T/long.json"
if command -v python3 >/dev/null; then
    got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
k, n = d["fields"]
print(d["records"], len(k["top"][0]["value"]), k["top"][0]["count"], k["distinct"], k["distinct_exact"],
      k["missing"], k["numeric"], n["numeric"]["count"], n["numeric"]["min"], n["numeric"]["max"],
      n["numeric"]["quantiles_exact"], sorted(n["numeric"]["quantiles"]))' "$T/long.json" 2>&1)
    expect_eq "--json keys and a whole long value" \
        "4 300 3 2 True 0 None 4 -4.5 3 True ['p50', 'p90', 'p99', 'p99.9']" "$got"
elif command -v jq >/dev/null; then
    expect_eq "--json long value (jq)" 300 "$(jq -r '.fields[0].top[0].value | length' "$T/long.json")"
else
    note "neither python3 nor jq: --json not parsed"
fi
grep -q "\"value\":\"$long\"" "$T/long.json" && pass || fail "--json: the long value is not whole"

# ---- --tsv: a header, a row per value, \t \n \\ escaped ----
printf '{"v":"a\\tb"}\n{"v":"c\\nd"}\n{"v":"e\\\\f"}\n{"v":"e\\\\f"}\n' >"$T/esc.jsonl"
expect_rc 0 $L stats --tsv -f v "$T/esc.jsonl"
want=$(printf 'field\tvalue\tcount\tshare\nv\te\\\\f\t2\t0.500000\nv\ta\\tb\t1\t0.250000\nv\tc\\nd\t1\t0.250000')
expect_eq "--tsv rows and escapes" "$want" "$(cat "$T/out")"
expect_rc 2 $L stats --tsv "$T/esc.jsonl"
expect_rc 2 $L stats --json --tsv -f v "$T/esc.jsonl"

# ---- several -f: one pass, each field as in a run of its own ----
one=$($L stats -f level --no-bars "$T/a.log" | tail -n +4)
two=$($L stats -f user --no-bars "$T/a.log" | tail -n +4)
both=$($L stats -f level -f user --no-bars -t 3 --chunk-size 8K "$T/a.zst" | tail -n +4)
expect_eq "-f level -f user = the two runs" "$one"$'\n\n'"$two" "$both"
records=$(wc -l <"$T/a.log" | tr -d ' ')
got=$($L stats -v -f level -f user "$T/a.log" 2>&1 >/dev/null)
echo "$got" | grep -Eq "^ladle: stats: $records records read .* 2 fields counted in one pass" && pass ||
    fail "-v: one pass over $records records" "$got"

# ---- numeric summary: 1..10000 shuffled, and values that are not numbers ----
seq 1 10000 | awk 'BEGIN { srand(7) } { print rand() "\t" $1 }' | sort -k1,1 | cut -f2 |
    sed 's/.*/{"n":&}/' >"$T/num.jsonl"
for t in 1 3; do
    run $L stats -f n --no-bars -t $t --chunk-size 16K "$T/num.jsonl"
    sed -n '/^numeric/,$p' "$T/out" >"$T/num$t"
    expect_eq "-t $t: count, min, max, mean, stddev exact" \
        "numeric      10000 values (0 not numbers)
  min        1
  max        10000
  mean       5000.5
  stddev     2886.89567991" "$(head -5 "$T/num$t")"
    # nearest rank: p = ceil(q n); KLL keeps it within 0.00036 n = 3.6 ranks
    got=$(awk '$1 ~ /^p/ { print $1, $2 }' "$T/num$t" | awk '
        BEGIN { t["p50"] = 5000; t["p90"] = 9000; t["p99"] = 9900; t["p99.9"] = 9990 }
        { d = $2 - t[$1]; if (d < 0) d = -d; if (d > 3 || !($1 in t)) print "off:", $0; n++ }
        END { print n " quantiles" }')
    expect_eq "-t $t: quantiles within the stated bound" "4 quantiles" "$got"
    grep -q '^  quantiles  rank within 0.036% (KLL sketch, 99% confidence)$' "$T/num$t" && pass ||
        fail "-t $t: the bound is not stated" "$(cat "$T/num$t")"
done
# A named column as the second -f reads its own column.
printf 'a\tb\n' >"$T/two.tsv"
for i in $(seq 1 50); do printf 'x%d\ty%d\n' $((i % 3)) $((i % 7)); done >>"$T/two.tsv"
one=$($L stats --format tsv -H -f b --tsv "$T/two.tsv")
both=$($L stats --format tsv -H -f a -f b --tsv "$T/two.tsv" | awk -F'\t' 'NR == 1 || $1 == "b"')
expect_eq "a named column as the second -f" "$one" "$both"
# Past the sketch's exact range its figures still do not depend on threads or
# chunking: one thread adds the numbers in input order.
awk 'BEGIN { srand(11); for (i = 0; i < 60000; i++) printf "{\"n\":%.3f}\n", -log(rand()) * 100 }' \
    >"$T/exp.jsonl"
$L stats -f n --json -t 1 "$T/exp.jsonl" | sed 's/"seconds":[^,]*,//' >"$T/exp1"
for opt in "-t 2" "-t 3 --chunk-size 16K" "-t 4 --chunk-size 1K"; do
    got=$($L stats -f n --json $opt "$T/exp.jsonl" | sed 's/"seconds":[^,]*,//')
    expect_eq "numeric summary of 60,000 values with $opt = with -t 1" "$(cat "$T/exp1")" "$got"
done
grep -q '"quantiles_exact":false' "$T/exp1" && pass || fail "60,000 values: the sketch should have compacted" "$(cat "$T/exp1")"
printf '{"n":"-2"}\n{"n":3}\n{"n":"x"}\n{"m":1}\n' >"$T/mixed.jsonl"
got=$($L stats -f n --no-bars "$T/mixed.jsonl" | sed -n '/^numeric/,/max/p')
expect_eq "numbers among text" "numeric      2 values (1 not numbers)
  min        -2
  max        3" "$got"
got=$($L stats -f level --no-bars "$T/a.log" | grep -c '^numeric')
expect_eq "no numeric block for text" 0 "$got"

# ---- --width: the table's value column (default 40 off a terminal) ----
printf '{"k":"%s"}\n' "$long" >"$T/wide.jsonl"
cut40=$($L stats -f k --no-bars "$T/wide.jsonl" | awk '/^  v/ { print length($1) }')
cut60=$($L stats -f k --no-bars --width 60 "$T/wide.jsonl" | awk '/^  v/ { print length($1) }')
cut999=$($L stats -f k --no-bars --width 999 "$T/wide.jsonl" | awk '/^  v/ { print length($1) }')
expect_eq "--width: 40 by default, then N" "43 63 300" "$cut40 $cut60 $cut999"
expect_rc 2 $L stats -f k --width 0 "$T/wide.jsonl"
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
    # on a terminal the table fits its width (one column spare)
    for cols in 100 200; do
        got=$(script -qec "stty cols $cols; $(q $L stats -f k --no-bars "$T/wide.jsonl")" /dev/null |
            tr -d '\r' | awk '/^  v/ { print length($0) }')
        expect_eq "--width default on a $cols-column terminal" $((cols - 1)) "$got"
    done
else
    note "no script(1): the terminal width default not tried"
fi

# ---- verify -v: a line per shard and split, the OK line unchanged ----
expect_rc 0 $L split -o "$T/ds" --ratios train=0.8,test=0.2 --shard-records 9000 "$T/a.log"
expect_rc 0 $L verify -v "$T/ds"
shards=$(find "$T/ds" -name 'part-*.zst' | wc -l | tr -d ' ')
expect_eq "verify -v: OK per shard" "$shards" \
    "$(grep -Ec "^ladle: verify: $T/ds/(train|test)/part-.*records, .*bytes .*XXH3-128.*: OK$" "$T/err")"
expect_eq "verify -v: per split" 2 "$(grep -Ec '^ladle: verify: .*: split "(train|test)": .*the shards add up$' "$T/err")"
ok=$(cat "$T/out")
expect_rc 0 $L verify "$T/ds"
expect_eq "verify -v: the same OK line" "$ok" "$(cat "$T/out")"
f=$(find "$T/ds/test" -name 'part-*.zst' | head -1)
printf 'x' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_rc 3 $L verify -v "$T/ds"
grep -Eq "^ladle: verify: $f: .*: [0-9]+ problems? \(above\)$" "$T/err" && pass ||
    fail "verify -v: the bad shard" "$(cat "$T/err")"
finish
