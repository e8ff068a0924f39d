#!/usr/bin/env bash
# CSV and JSON as people have them (issue 9, item 3, and item 1's first
# point): --format csv frames RFC 4180 records, so a quoted field holding a
# line end is never cut (every design, split, any --threads/--chunk-size);
# -d alone implies a delimited format; .csv/.tsv names select it, and a
# column name implies --header; --header on JSON lines is a usage error; a
# column name with --format lines says what to use; --malformed skip
# leaves a broken record (a truncated last JSON line) out and counts it.
. "$(dirname "$0")/lib.sh"
L=$LADLE

# 3,000 records of two lines each: id,"text<LF>more ""q""",label
awk 'BEGIN { print "id,msg,label"; for (i = 0; i < 3000; i++)
    printf "%d,\"line %d\nsecond \"\"%d\"\"\",L%d\n", i, i, i, i % 3 }' >"$T/q.csv"
tail -n +2 "$T/q.csv" >"$T/body.csv"

# whole: every output record is one id line then its second line
whole_records() { # WHAT FILE [HEADER]
    if awk -v h="${3:-0}" 'NR <= h { next }
        (NR - h) % 2 == 1 { if ($0 !~ /^[0-9]+,"line [0-9]+$/) bad = 1; next }
        { if ($0 !~ /^second ""[0-9]+""",L[0-2]$/) bad = 1 }
        END { exit bad || (NR - h) % 2 }' "$2" && [ -s "$2" ]; then pass; else
        fail "$1" "records cut at a quoted line end: $(head -c 300 "$2")"
    fi
}
for d in "--rate 0.3" "-n 100" "--head 7" "--every 5" "--strata label -n 30" \
    "--cluster label --rate 0.5" "--weight id -n 20"; do
    run "$L" sample --format csv --header $d --chunk-size 1K -t 3 "$T/q.csv"
    [ "$RC" = 0 ] && pass || fail "sample $d" "exit $RC: $(head -c 300 "$T/err")"
    cp "$T/out" "$T/o"
    whole_records "sample --format csv $d" "$T/o" 1
done
expect_same "$T/body.csv" "$L" sample --format csv --rate 1 "$T/body.csv"
run "$L" sample --format csv --head 3 "$T/body.csv"
expect_eq "--head 3 is three records (six lines)" "6" "$(wc -l <"$T/out" | tr -d ' ')"

# the same bytes for any --threads and --chunk-size (chunk edges inside quotes)
save ref "$L" sample --format csv --rate 0.2 --seed 5 -t 1 "$T/body.csv"
for t in 1 3; do
    for cs in 1 7 100 4K; do
        expect_same "$T/ref" "$L" sample --format csv --rate 0.2 --seed 5 -t "$t" \
            --chunk-size "$cs" "$T/body.csv"
    done
done

# split: shards hold whole records, verify counts them as records
run "$L" split -o "$T/ds" --ratios a=0.5,b=0.5 --stratify label --chunk-size 1K "$T/q.csv"
[ "$RC" = 0 ] && pass || fail "split csv" "exit $RC: $(head -c 300 "$T/err")"
zstd -qdc "$T"/ds/a/*.zst "$T"/ds/b/*.zst | grep -v '^id,msg,label$' >"$T/split.out"
whole_records "split --format csv" "$T/split.out"
expect_eq "split keeps every record" "6000" "$(wc -l <"$T/split.out" | tr -d ' ')"
expect_rc 0 "$L" verify "$T/ds"

# an unclosed quote at the end: the last record runs to the end of input
printf 'a,b\n1,x\n2,"open\nstill open\n' >"$T/open.csv"
expect_rc 3 "$L" sample --strata b --per-stratum 1 "$T/open.csv"
expect_stderr_match "malformed record for field 'b' \(record at offset 8; see --malformed\)$"
expect_rc 0 "$L" sample --strata b --per-stratum 1 --malformed skip "$T/open.csv"
expect_eq "unclosed quote skipped" "a,b
1,x" "$(cat "$T/out")"
expect_stderr_match "^ladle: 1 malformed record left out \(see --malformed\)$"

# -d alone: ' ' is tsv-like, ',' is csv
printf 'a x\nb y\nc x\n' >"$T/sp.txt"
expect_rc 0 "$L" sample --strata 2 --per-stratum 5 -d ' ' "$T/sp.txt"
expect_eq "-d ' ' alone splits on spaces" "a x
b y
c x" "$(cat "$T/out")"
expect_rc 0 "$L" sample --head 2 -d , "$T/body.csv"
whole_records "-d , alone frames csv" "$T/out"

# --header on JSON lines: a usage error, --format json or detected
printf '{"a":1}\n{"a":2}\n' >"$T/j.jsonl"
expect_rc 2 "$L" sample --header --format json -n 1 "$T/j.jsonl"
expect_stderr_match "^ladle: --header with --format json: JSON records carry their own keys"
expect_rc 2 "$L" sample --header -n 1 "$T/j.jsonl"
expect_stderr_match "j\.jsonl: --header on JSON lines"
expect_rc 2 "$L" split -o "$T/dj" --ratios a=0.5,b=0.5 --header "$T/j.jsonl"

# a .csv name selects csv; a column name implies the header (BGL's Label)
{
    echo 'LineId,Label,Timestamp,Content'
    for i in $(seq 1 60); do
        case $((i % 4)) in 0) l=- ;; 1) l=KERNDTLB ;; 2) l=APPREAD ;; 3) l=KERNSTOR ;; esac
        echo "$i,$l,$((1117838570 + i)),\"instruction cache parity error corrected\""
    done
} >"$T/BGL_2k.log_structured.csv"
expect_rc 0 "$L" sample --strata Label --per-stratum 2 "$T/BGL_2k.log_structured.csv"
expect_eq ".csv name: header + 2 per label" "9 LineId,Label,Timestamp,Content" \
    "$(wc -l <"$T/out" | tr -d ' ') $(head -1 "$T/out")"
zstd -q "$T/BGL_2k.log_structured.csv" -o "$T/bgl.csv.zst"
expect_rc 0 "$L" sample --strata Label --per-stratum 2 "$T/bgl.csv.zst"
expect_eq ".csv.zst name too" "9" "$(wc -l <"$T/out" | tr -d ' ')"
# a number needs no header: the first line is a record
expect_rc 0 "$L" sample --strata 2 --per-stratum 100 "$T/BGL_2k.log_structured.csv"
expect_eq "column number: no header implied" "61" "$(wc -l <"$T/out" | tr -d ' ')"

# a column name with --format lines: says what to use
expect_rc 2 "$L" sample --format lines --strata Label -n 5 "$T/BGL_2k.log_structured.csv"
expect_stderr_match "^ladle: field 'Label': --format lines has no fields; for a column name use --format csv\|tsv --header"

# a truncated last JSON line (a live log): --malformed skip leaves it out
printf '{"user":"a","n":1}\n{"user":"b","n":2}\n{"n":3,"user":"c' >"$T/live.jsonl"
expect_rc 3 "$L" sample --strata user --per-stratum 1 --missing skip "$T/live.jsonl"
expect_stderr_match "malformed record for field 'user' .*see --malformed"
expect_rc 0 "$L" sample --strata user --per-stratum 1 --malformed skip "$T/live.jsonl"
expect_eq "truncated line skipped" '{"user":"a","n":1}
{"user":"b","n":2}' "$(cat "$T/out")"
expect_stderr_match "^ladle: 1 malformed record left out \(see --malformed\)$"
expect_rc 3 "$L" split -o "$T/dl" --ratios a=0.5,b=0.5 --by user "$T/live.jsonl"
expect_rc 0 "$L" split -o "$T/dl" --ratios a=0.5,b=0.5 --by user --malformed skip "$T/live.jsonl"
expect_stderr_match "^ladle: 1 malformed record left out \(see --malformed\)$"
expect_eq "manifest: skipped.malformed" '"missing": 0, "malformed": 1' \
    "$(tr -d '\n' <"$T/dl/manifest.json" | grep -o '"missing": [0-9]*, *"malformed": [0-9]*' | tr -s ' ')"
expect_rc 0 "$L" verify "$T/dl"
expect_rc 2 "$L" sample --strata user -n 1 --malformed maybe "$T/live.jsonl"

# A ';' csv with quoted line ends: the manifest records the delimiter and
# verify counts its records with it (',' would count three more).
printf 'a;b\n1;"x\ny"\n2;z\n3;"p;q\nr"\n4;"s\n\nt"\n' >"$T/semi.csv"
expect_rc 0 "$L" split --format csv -d ';' -H --ratios a=0.5,b=0.5 -o "$T/semi" --allow-empty "$T/semi.csv"
grep -q '"delimiter": ";"' "$T/semi/manifest.json" && pass || fail "manifest: no delimiter"
expect_rc 0 "$L" verify "$T/semi"
sed -i '/"delimiter"/d' "$T/semi/manifest.json"
expect_rc 3 "$L" verify "$T/semi"
finish
