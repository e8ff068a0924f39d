#!/usr/bin/env bash
# No silent empty results (issue 9, item 1): a field that resolves in no
# record is an input error (exit 3) that says what the records hold, early
# for a long input; `ladle split` commits no empty split without
# --allow-empty. Every check here exited 0 with an empty output on 0.2.0.
. "$(dirname "$0")/lib.sh"
L=$LADLE
printf '{"level":"info","msg":"up","user":{"id":7}}\n{"level":"warn","msg":"slow","user":{"id":8}}\n' \
    >"$T/l.jsonl"
# A structured CSV as Loghub writes it, under a name that does not say csv.
{
    echo 'LineId,Label,Time,Content'
    for i in $(seq 1 40); do echo "$i,L$((i % 3)),2005-06-03-15.42.$((i % 60)),text $i"; done
} >"$T/bgl.log"

# A misspelled JSON key: the keys that occur, the nearest suggested.
expect_rc 3 "$L" sample --strata levle -n 10 "$T/l.jsonl"
expect_stderr_match "^ladle: .*l\.jsonl: field 'levle' resolves in none of 2 records, all left out by --missing skip \(format auto; keys there: level, msg, user; did you mean 'level'\?\)$"
expect_stdout_empty
# ... one level down a path
expect_rc 3 "$L" sample --cluster user.idd --rate 1 "$T/l.jsonl"
expect_stderr_match "keys there: id; did you mean 'user\.id'\?"
# A column name on records that are not JSON: says how to read a column.
expect_rc 3 "$L" sample --strata Label --per-stratum 2 "$T/bgl.log"
expect_stderr_match "field 'Label' resolves in none of 41 records.*not JSON objects; for a column give --format csv or --format tsv"
# A text column as a weight.
expect_rc 3 "$L" sample --format csv --header --weight Content -n 3 "$T/bgl.log"
expect_stderr_match "field 'Content' resolves in none of 40 records.*such as 'text 1', are not weights"
# A column past the last one.
expect_rc 3 "$L" sample --format csv --header --cluster 9 --rate 0.5 "$T/bgl.log"
expect_stderr_match "field '9' .*the first record has 4 columns"
# A regex that matches nothing.
expect_rc 3 "$L" sample --strata 're:user=(\w+)' --per-stratum 1 "$T/bgl.log"
expect_stderr_match "the pattern matches no record"

# Said at once on a long input (stdin too), not after reading it all: the
# first 100,000 records decide.
make_log "$T/big.log" 150000 5
run_sh "cat '$T/big.log' '$T/big.log' '$T/big.log' | '$L' sample --strata levle -n 5 --chunk-size 64K"
[ "$RC" = 3 ] && grep -q "resolves in none of the first 1[0-9]\{5\} records" "$T/err" && pass ||
    fail "early stop on stdin" "rc $RC: $(head -c 300 "$T/err")"

# Not an error: some records resolve, or --missing keep / error ask otherwise.
printf '{"msg":"no level"}\n' >>"$T/l.jsonl"
expect_rc 0 "$L" sample --strata level --per-stratum 1 "$T/l.jsonl"
expect_rc 0 "$L" sample --strata levle --per-stratum 1 --missing keep "$T/l.jsonl"
expect_rc 3 "$L" sample --strata levle --per-stratum 1 --missing error "$T/l.jsonl"
expect_stderr_match "no field 'levle'"
# ladle stats reports the missing count itself.
expect_rc 0 "$L" stats --field levle "$T/l.jsonl"

# split: a field that never resolves, and an empty split.
expect_rc 3 "$L" split --by levle --ratios a=0.5,b=0.5 -o "$T/ds" "$T/l.jsonl"
[ ! -e "$T/ds" ] && pass || fail "a refused split left $T/ds behind"
# (BGL's DB2 stamps in Time are read since item 2: a column of no timestamps.)
expect_rc 3 "$L" split --time-field Label --cutoffs 2005-06-04 --ratios old,new -o "$T/ds" \
    --format csv --header "$T/bgl.log"
expect_stderr_match "field 'Label' resolves in none of 40 records"
[ ! -e "$T/ds" ] && pass || fail "a refused time split left $T/ds behind"
expect_rc 3 "$L" split --ratios train=0.5,val=0.3,test=0.2 -o "$T/ds" "$T/l.jsonl"
expect_stderr_match "^ladle: .*ds: splits? '.*' ha(s|ve) no record \(3 read\); nothing committed, .*ds is as it was \(--allow-empty commits it anyway\)$"
[ ! -e "$T/ds" ] && pass || fail "a refused empty split left $T/ds behind"
mkdir "$T/ds2" && echo keep >"$T/ds2/x"
expect_rc 3 "$L" split --ratios train=0.5,val=0.3,test=0.2 -o "$T/ds2" --force "$T/l.jsonl"
[ "$(ls "$T/ds2")" = x ] && pass || fail "a refused empty split changed DIR: $(ls "$T/ds2")"
expect_rc 0 "$L" split --ratios train=0.5,val=0.3,test=0.2 -o "$T/ds" --allow-empty "$T/l.jsonl"
expect_rc 0 "$L" verify "$T/ds"
finish
