#!/usr/bin/env bash
# Habits from neighbouring tools (issue 9, item 6): tsv-sample's -p, -H, -w,
# -k; percentages for probabilities; "did you mean" for a mistyped option.
# Each alias gives byte for byte what its long option gives.
. "$(dirname "$0")/lib.sh"
L=$LADLE
make_log "$T/a.log" 20000 3
make_log "$T/a.tsv" 5000 4 tsv
# The header names the columns of ladle-gen's tsv, or of make_log's own.
if [ "$(head -1 "$T/a.tsv" | awk -F'\t' '{print NF}')" = 8 ]; then
    printf 'ts\tlevel\tuser\ttrace\tstatus\tlatency\tpath\tmsg\n'
else
    printf 'ts\tlevel\tuser\tlatency\tpath\tpad\n'
fi | cat - "$T/a.tsv" >"$T/h.tsv"

same_output() { # WHAT, then the two commands as strings
    "$L" $2 >"$T/1" 2>"$T/1.err"
    local a=$?
    "$L" $3 >"$T/2" 2>"$T/2.err"
    local b=$?
    if [ $a = 0 ] && [ $b = 0 ] && [ -s "$T/1" ] && cmp -s "$T/1" "$T/2"; then pass; else
        fail "$1" "rc $a and $b; '$2' and '$3' differ or are empty: $(head -c 300 "$T/1.err")"
    fi
}
same_output "-p = --rate" "sample -p 0.05 --seed 3 $T/a.log" "sample --rate 0.05 --seed 3 $T/a.log"
same_output "--rate 5% = --rate 0.05" "sample --rate 5% --seed 3 $T/a.log" "sample --rate 0.05 --seed 3 $T/a.log"
# 0.3% is read as 0.3e-2, the same double as 0.003 (not 0.3 / 100)
same_output "--rate 0.3% = --rate 0.003" "sample --rate 0.3% $T/a.log" "sample --rate 0.003 $T/a.log"
same_output "-k F = --cluster F" "sample -k user -p 10% $T/a.log" "sample --cluster user --rate 0.1 $T/a.log"
same_output "--within-rate 50%" "sample -k user -p 0.2 --within-rate 50% $T/a.log" \
    "sample --cluster user --rate 0.2 --within-rate 0.5 $T/a.log"
same_output "-H -w = --header --weight" "sample --format tsv -H -w latency -n 50 $T/h.tsv" \
    "sample --format tsv --header --weight latency -n 50 $T/h.tsv"
# stats: every line but its run time
a=$("$L" stats --format tsv -H --field level --no-bars "$T/h.tsv" | grep -v '^time')
b=$("$L" stats --format tsv --header --field level --no-bars "$T/h.tsv" | grep -v '^time')
expect_eq "stats -H = stats --header" "$b" "$a"
echo "$a" | grep -q '^records *5000$' && pass || fail "stats -H: the header counted as a record: $a"
# split: the same shards (the manifest names the command line, so it differs)
"$L" split -o "$T/ds1" --ratios a=0.5,b=0.5 -p 0.5 "$T/a.log" &&
    "$L" split -o "$T/ds2" --ratios a=0.5,b=0.5 --rate 0.5 "$T/a.log"
expect_eq "split -p = split --rate" "$(cd "$T/ds2" && find . -name '*.zst' | sort | xargs sha256sum)" \
    "$(cd "$T/ds1" && find . -name '*.zst' | sort | xargs sha256sum)"

expect_rc 2 "$L" sample --rate 150% "$T/a.log"
expect_stderr_match "^ladle: --rate: '150%' is not a probability \(expected 0\.\.1, or a percentage such as 1%\)"
expect_rc 2 "$L" sample --rate 5%% "$T/a.log"
expect_rc 2 "$L" sample --rate % "$T/a.log"

expect_rc 2 "$L" sample --raet 0.1 "$T/a.log"
expect_stderr_match "^ladle: unknown option '--raet'; did you mean --rate\? \(see 'ladle sample --help'\)$"
expect_rc 2 "$L" sample --rat 0.1 "$T/a.log"
expect_stderr_match "^ladle: unknown option '--rat'; did you mean --rate or --ratios\?"
expect_rc 2 "$L" sample --emit-weigth --rate 0.1 "$T/a.log"
expect_stderr_match "did you mean --emit-weight\?"
expect_rc 2 "$L" stats --feild level "$T/a.log"
expect_stderr_match "^ladle: unknown option '--feild'; did you mean --field\? \(see 'ladle stats --help'\)$"
expect_rc 2 "$L" sample --bogus "$T/a.log"
expect_stderr_match "^ladle: unknown option '--bogus' \(see 'ladle sample --help'\)$"
finish
