#!/usr/bin/env bash
# -n N --replace and --bootstrap B from the command line (ladle(1), "-n N
# --replace" and "Bootstrap replicates"): exact sizes, multiplicities that
# only hold records of the input, stdin (spooled for the two passes),
# --threads and --chunk-size invariance, --shuffle as a reordering; the
# replicate columns' names (TSV header, JSON keys, CSV), their place before
# _weight, and ladle merge of --part states printing what one run prints;
# usage errors (exit 2, one line). The statistics are
# tests/stat/test_replace.c and test_bootstrap.c.
#
# Env: LADLE (the ladle binary). Exit 0 pass, 1 fail, 77 skip.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
export LC_ALL=C

seq 1 2000 | awk '{ printf "{\"id\":%d,\"v\":\"x%d\"}\n", $1, $1 % 7 }' >"$T/a.json"
seq 2001 3000 | awk '{ printf "{\"id\":%d,\"v\":\"x%d\"}\n", $1, $1 % 7 }' >"$T/b.json"
{
    printf 'id\tv\n'
    seq 1 500 | awk '{ printf "%d\tx%d\n", $1, $1 % 5 }'
} >"$T/h.tsv"
cat "$T/a.json" "$T/b.json" | sort >"$T/all.sorted"

# ---- -n N --replace ----
for n in 1 10 2999 3000 7000; do
    expect_rc 0 "$L" sample -n "$n" --replace --seed 4 "$T/a.json" "$T/b.json"
    expect_eq "-n $n --replace: exactly $n lines" "$n" "$(wc -l <"$T/out" | tr -d ' ')"
done
# every line is a record of the input (7000 draws of 3000 records repeat some)
sort -u "$T/out" >"$T/drawn"
expect_eq "--replace draws only input records" "" "$(comm -23 "$T/drawn" "$T/all.sorted")"
expect_true "7000 draws of 3000 records repeat some" [ "$(wc -l <"$T/drawn")" -lt 7000 ]

run "$L" sample -n 500 --replace --seed 9 "$T/a.json" "$T/b.json"
cp "$T/out" "$T/ref"
for t in 1 2 4; do
    for c in 4K 64K; do
        expect_rc 0 "$L" sample -n 500 --replace --seed 9 --threads $t --chunk-size $c \
            "$T/a.json" "$T/b.json"
        expect_eq "--replace --threads $t --chunk-size $c" "$(cat "$T/ref")" "$(cat "$T/out")"
    done
done
expect_rc 0 "$L" sample -n 500 --replace --seed 9 --shuffle "$T/a.json" "$T/b.json"
expect_eq "--shuffle: the same multiset" "$(sort "$T/ref")" "$(sort "$T/out")"
expect_true "--shuffle: another order" [ "$(cat "$T/ref")" != "$(cat "$T/out")" ]
expect_rc 0 "$L" sample -n 500 --replace --seed 9 --shuffle --threads 3 --chunk-size 4K \
    "$T/a.json" "$T/b.json"
cp "$T/out" "$T/shuf1"
expect_rc 0 "$L" sample -n 500 --replace --seed 9 --shuffle --threads 1 "$T/a.json" "$T/b.json"
expect_eq "--replace --shuffle: threads and chunks" "$(cat "$T/shuf1")" "$(cat "$T/out")"

# stdin: spooled, read twice
run_sh "cat '$T/a.json' | '$L' sample -n 300 --replace --seed 2 -v"
expect_eq "stdin: exit 0" 0 "$RC"
expect_eq "stdin: 300 lines" 300 "$(wc -l <"$T/out" | tr -d ' ')"
expect_true "stdin: spooled" grep -q "spooled" "$T/err"
# no records: empty output, a note under -v
run_sh ": | '$L' sample -n 5 --replace -v"
expect_eq "empty input: exit 0" 0 "$RC"
expect_eq "empty input: no output" "" "$(cat "$T/out")"
expect_true "empty input: a note" grep -q "no records to draw from" "$T/err"

# ---- --bootstrap B ----
expect_rc 0 "$L" sample --rate 0.2 --bootstrap 3 --seed 1 "$T/a.json"
expect_eq "JSON keys _rep1.._rep3 end each object" 0 \
    "$(grep -cv '"v":"x[0-9]","_rep1":[0-9]*,"_rep2":[0-9]*,"_rep3":[0-9]*}$' "$T/out")"
expect_rc 2 "$L" sample --every 10 --header --bootstrap 2 --emit-weight --seed 1 "$T/h.tsv"
expect_stderr_match "^ladle: --emit-weight goes with"
expect_rc 0 "$L" sample --rate 0.5 --header --bootstrap 2 --emit-weight --seed 1 "$T/h.tsv"
expect_eq "TSV header: _rep columns, then _weight" "id	v	_rep1	_rep2	_weight" \
    "$(head -1 "$T/out")"
expect_eq "TSV rows: five columns" 0 "$(tail -n +2 "$T/out" | awk -F'\t' 'NF != 5' | wc -l | tr -d ' ')"
tr '\t' ',' <"$T/h.tsv" >"$T/h.csv"
expect_rc 0 "$L" sample -n 5 --format csv --header --bootstrap 2 --seed 1 "$T/h.csv"
expect_eq "CSV header" "id,v,_rep1,_rep2" "$(head -1 "$T/out")"
expect_eq "CSV rows" 0 "$(tail -n +2 "$T/out" | awk -F, 'NF != 4' | wc -l | tr -d ' ')"
# the same record gets the same counts whatever the design and threads
expect_rc 0 "$L" sample --rate 1 --bootstrap 4 --seed 3 "$T/a.json"
cp "$T/out" "$T/rate1"
expect_rc 0 "$L" sample --every 1 --bootstrap 4 --seed 3 --threads 3 --chunk-size 4K "$T/a.json"
expect_eq "--every 1 = --rate 1 columns" "$(cat "$T/rate1")" "$(cat "$T/out")"
expect_rc 0 "$L" sample -n 50 --bootstrap 4 --seed 3 "$T/a.json"
expect_eq "-n 50: rows of the --rate 1 run" "" "$(sort "$T/out" | comm -23 - <(sort "$T/rate1"))"
# --replace copies carry their record's counts
expect_rc 0 "$L" sample -n 3000 --replace --bootstrap 4 --seed 3 "$T/a.json"
expect_eq "--replace --bootstrap: rows of the --rate 1 run" "" \
    "$(sort -u "$T/out" | comm -23 - <(sort "$T/rate1"))"

# merge of parts with --bootstrap prints what one run prints
for design in "--rate 0.1" "-n 40"; do
    # shellcheck disable=SC2086
    run "$L" sample $design --bootstrap 5 --seed 8 "$T/a.json" "$T/b.json"
    cp "$T/out" "$T/one"
    rm -f "$T/p1.st" "$T/p2.st"
    # shellcheck disable=SC2086
    expect_rc 0 "$L" sample $design --bootstrap 5 --seed 8 --part 1/2 --state "$T/p1.st" \
        "$T/a.json" "$T/b.json"
    # shellcheck disable=SC2086
    expect_rc 0 "$L" sample $design --bootstrap 5 --seed 8 --part 2/2 --state "$T/p2.st" \
        "$T/a.json" "$T/b.json"
    expect_rc 0 "$L" merge "$T/p1.st" "$T/p2.st"
    expect_eq "$design --bootstrap 5: merge of parts = one run" "$(cat "$T/one")" "$(cat "$T/out")"
done
rm -f "$T/q.st" "$T/r.st"
expect_rc 0 "$L" sample --rate 0.1 --bootstrap 5 --seed 8 --part 1/2 --state "$T/r.st" \
    "$T/a.json" "$T/b.json"
expect_rc 0 "$L" sample --rate 0.1 --seed 8 --part 2/2 --state "$T/q.st" "$T/a.json" "$T/b.json"
expect_rc 2 "$L" merge "$T/r.st" "$T/q.st"
expect_stderr_match "^ladle: merge: .*--bootstrap"
# a --state chain with --header keeps the named columns
rm -f "$T/c.st"
expect_rc 0 "$L" sample --rate 0.3 --header --bootstrap 2 --seed 1 --state "$T/c.st" "$T/h.tsv"
expect_eq "--state --header: header names" "id	v	_rep1	_rep2" "$(head -1 "$T/out")"

# ---- usage errors ----
expect_rc 2 "$L" sample --rate 0.5 --replace "$T/a.json"
expect_stderr_match "^ladle: --replace goes with -n N"
expect_rc 2 "$L" sample --replace "$T/a.json"
expect_stderr_match "^ladle: choose a design"
expect_rc 2 "$L" sample -n 5 --replace --weight id "$T/a.json"
expect_stderr_match "^ladle: --replace goes with -n N"
expect_rc 2 "$L" sample -n 5 --replace --part 1/2 "$T/a.json"
expect_stderr_match "^ladle: --part does not go with -n --replace"
expect_rc 2 "$L" sample -n 5 --replace --state "$T/none.st" "$T/a.json"
expect_stderr_match "^ladle: -n --replace does not go with --state"
expect_rc 2 "$L" split -n 5 --replace --ratios a=0.5,b=0.5 -o "$T/ds" "$T/a.json"
expect_stderr_match "^ladle: -n --replace does not go with -o DIR"
expect_rc 2 "$L" split --bootstrap 2 --ratios a=0.5,b=0.5 -o "$T/ds" "$T/a.json"
expect_stderr_match "^ladle: --bootstrap does not go with -o DIR"
expect_rc 2 "$L" sample --head 5 --bootstrap 2 "$T/a.json"
expect_stderr_match "^ladle: --bootstrap goes with --rate"
expect_rc 2 "$L" sample --strata v --fractions '*=0.5' --bootstrap 2 "$T/a.json"
expect_stderr_match "^ladle: --bootstrap goes with --rate"
for bad in 0 1001 x; do
    expect_rc 2 "$L" sample --rate 0.5 --bootstrap "$bad" "$T/a.json"
    expect_stderr_match "^ladle: --bootstrap: '$bad' is not a replicate count"
done
expect_rc 0 "$L" sample --help
expect_true "--help names --replace and --bootstrap" grep -q -- "--bootstrap B" "$T/out"

finish
