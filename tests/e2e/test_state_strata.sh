#!/usr/bin/env bash
# `--state FILE` for --strata F -n N / --per-stratum N and --cluster F
# --clusters M (issue 10, plan step 7), and `ladle stats --field --state`
# (step 8): for each design and several seeds, chained runs over 5 small
# files, split into 2 to 5 runs, print byte for byte what one --state run
# over every file prints, and what one plain run prints (stats: see below);
# a state drawn with another -n, --per-stratum, --clusters, field, ... is a
# usage error naming the option as typed.
# Under LADLE_TEST_SCALE=smoke (sanitizer builds): one seed of the three.
. "$(dirname "$0")/lib.sh"
L=$LADLE
mk() { # mk FILE N TAG: TSV "TAG-i <tab> user <tab> host <tab> number <tab> text"
    awk -v n="$2" -v t="$3" 'BEGIN { for (i = 1; i <= n; i++)
        printf "%s-%d\tu%d\th%d\t%d.%d\ttext %d\n", t, i, (i * 7919 + length(t) * 13) % 37,
            (i * i + length(t)) % 6, (i * 7907) % 1000 - 300, i % 10, i * i }' >"$1"
}
mk "$T/a.tsv" 300 a
mk "$T/b.tsv" 250 bb
mk "$T/c.tsv" 90 ccc
mk "$T/d.tsv" 400 dddd
mk "$T/e.tsv" 120 eeeee
files=("$T/a.tsv" "$T/b.tsv" "$T/c.tsv" "$T/d.tsv" "$T/e.tsv")
# How the 5 files split into runs: 5, 2, 3, 3 and 2 runs.
splits=("1 1 1 1 1" "2 3" "1 2 2" "3 1 1" "4 1")

# chain REF SPLIT CMD...: runs CMD --state over the files, SPLIT's counts
# of files per run, then checks the last run's output is REF.
chain() {
    local ref=$1 split=$2 at=0 n
    shift 2
    local st=$T/chain.state
    rm -f "$st"
    for n in $split; do
        run "$@" --state "$st" "${files[@]:at:n}"
        at=$((at + n))
    done
    expect_output_file "$ref"
}

sample_designs=("--strata 3 -n 25" "--strata 3 -n 25 --emit-weight"
    "--strata 3 -n 40 --min-per-stratum 3 --shuffle" "--strata 2 -n 7"
    "--strata 3 --per-stratum 4 --emit-weight" "--strata 3 --per-stratum 4 --shuffle"
    "--cluster 2 --clusters 3 --emit-weight" "--cluster 2 --clusters 5 --shuffle"
    "--cluster 2 --clusters 4 --within-size 3 --emit-weight"
    "--cluster 2 --clusters 4 --within-rate 0.5 --emit-weight" "--cluster 3 --clusters 50")
for seed in $(reps 1 7 42 -- 7); do
    for d in "${sample_designs[@]}"; do
        # shellcheck disable=SC2206
        opt=(sample $d --seed "$seed" --format tsv)
        save one $L "${opt[@]}" "${files[@]}"
        rm -f "$T/all.state"
        expect_same "$T/one" $L "${opt[@]}" --state "$T/all.state" "${files[@]}"
        for split in "${splits[@]}"; do
            chain "$T/one" "$split" $L "${opt[@]}"
        done
        # nothing new: the same sample again
        expect_same "$T/one" $L "${opt[@]}" --state "$T/all.state" "${files[@]}"
    done
done

# ladle stats --state: the field report (the totals above it are this
# run's reads, so they are left out of the comparison) of chained runs is
# one --state run's, byte for byte. Against a plain run, only mean, stddev
# and the quantiles may differ: --state takes the mean and stddev from
# exact sums (the plain run: a compensated sum, Welford) and the quantiles
# from a log histogram within 1 % (the plain run: exact, or KLL).
for f in a b c d e; do
    awk -v t="$f" 'BEGIN { for (i = 1; i <= 150 + length(t) * 40; i++)
        printf "{\"v\":%.17g,\"n\":%d,\"k\":\"%s%d\"}\n",
            ((i * 7919) % 1009 - 300) * 10 ^ ((i * 31) % 40 - 20), i, t, i % 7 }' >"$T/$f.json"
done
jfiles=("$T/a.json" "$T/b.json" "$T/c.json" "$T/d.json" "$T/e.json")
report() { # report FILE: the fields' part of a stats output in $T/out
    grep -v -e '^records ' -e '^bytes ' -e '^time ' "$T/out" | sed '1s/^{"records".*/{/' >"$1"
}
stats_chain() { # stats_chain SPLIT ARGS...: chained --state runs, the last report in $T/chained
    local split=$1 at=0 n
    shift
    rm -f "$T/stats.state"
    for n in $split; do
        run $L stats "$@" --state "$T/stats.state" "${jfiles[@]:at:n}"
        at=$((at + n))
    done
    report "$T/chained"
}
no_approx() { grep -v -E '^  (mean|stddev|p50|p90|p99|p99\.9|quantiles) ' "$1"; }
stats_designs=("-f v" "-f n -f k -f v" "--json -f v -f k" "--tsv -f k -f n" "-f v --top 3")
# (stats has no --seed: its figures do not depend on one.)
for d in "${stats_designs[@]}"; do
    # shellcheck disable=SC2206
    opt=($d --format json)
    save plain $L stats "${opt[@]}" "${jfiles[@]}"
    report "$T/plain"
    rm -f "$T/all.state"
    save one $L stats "${opt[@]}" --state "$T/all.state" "${jfiles[@]}"
    report "$T/one"
    expect_true "stats $d: a report" test -s "$T/one"
    for split in "${splits[@]}"; do
        stats_chain "$split" "${opt[@]}"
        expect_eq "stats $d split $split: exit" 0 "$RC"
        expect_true "stats $d split $split: chained = one run" cmp -s "$T/one" "$T/chained"
    done
    case $d in
    --json*) ;; # one line: the numbers differ inside it
    *) expect_eq "stats $d: plain = --state but for mean, stddev, quantiles" \
        "$(no_approx "$T/plain")" "$(no_approx "$T/one")" ;;
    esac
done
run $L stats -f v --format json --state "$T/all.state" "${jfiles[@]}"
expect_true "the report says the quantiles come from a histogram" \
    grep -q 'quantiles  within 1% (log histogram: --state)' "$T/out"
rm -f "$T/s"
run $L stats -f v -f k --format json --state "$T/s" "$T/a.json"
expect_rc 2 $L stats -f v --format json --state "$T/s" "$T/b.json"
expect_stderr_match "drawn with --field 'v' --field 'k', this run has --field 'v'"
expect_rc 2 $L stats -f v -f k --missing keep --format json --state "$T/s" "$T/b.json"
expect_stderr_match "drawn with --missing 'skip', this run has --missing 'keep'"
expect_rc 2 $L sample -n 3 --format json --state "$T/s" "$T/b.json"
expect_stderr_match "drawn with stats --field, this run has -n"

# --header with a named column: the state keeps the header line, so a later
# run binds the column in the inputs consumed before (stats prints none).
for f in a b c; do { printf 'id\tuser\thost\tnum\ttext\n'; cat "$T/$f.tsv"; } >"$T/h$f.tsv"; done
hf=("$T/ha.tsv" "$T/hb.tsv" "$T/hc.tsv")
for cmd in "stats -f user -f num" "sample --strata user -n 9" "sample --cluster user --clusters 2"; do
    # shellcheck disable=SC2206
    opt=($cmd --header --format tsv)
    save one $L "${opt[@]}" "${hf[@]}"
    [ "${cmd%% *}" = stats ] && report "$T/one"
    rm -f "$T/h.state"
    run $L "${opt[@]}" --state "$T/h.state" "${hf[0]}"
    run $L "${opt[@]}" --state "$T/h.state" "${hf[1]}" "${hf[2]}"
    expect_eq "$cmd --header: exit" 0 "$RC"
    if [ "${cmd%% *}" = stats ]; then
        report "$T/chained"
        expect_eq "$cmd --header: chained = plain" "$(no_approx "$T/one")" "$(no_approx "$T/chained")"
    else
        expect_output_file "$T/one"
    fi
done

# Drawn otherwise: refused, naming the option as typed.
o=(sample --seed 1 --format tsv)
rm -f "$T/s"
run $L "${o[@]}" --strata 3 -n 25 --state "$T/s" "$T/a.tsv"
expect_rc 2 $L "${o[@]}" --strata 3 -n 26 --state "$T/s" "$T/b.tsv"
expect_stderr_match "state: drawn with -n 25, this run has -n 26"
expect_rc 2 $L "${o[@]}" --strata 3 --per-stratum 25 --state "$T/s" "$T/b.tsv"
expect_stderr_match "drawn without --per-stratum, this run has --per-stratum 25"
expect_rc 2 $L "${o[@]}" --strata 2 -n 25 --state "$T/s" "$T/b.tsv"
expect_stderr_match "drawn with --strata '3', this run has --strata '2'"
expect_rc 2 $L "${o[@]}" --strata 3 -n 25 --min-per-stratum 2 --state "$T/s" "$T/b.tsv"
expect_stderr_match "drawn with --min-per-stratum 1, this run has --min-per-stratum 2"
expect_rc 2 $L "${o[@]}" --cluster 2 --clusters 3 --state "$T/s" "$T/b.tsv"
expect_stderr_match "drawn with --strata -n/--per-stratum, this run has --clusters"
rm -f "$T/s"
run $L "${o[@]}" --strata 3 --per-stratum 4 --state "$T/s" "$T/a.tsv"
expect_rc 2 $L "${o[@]}" --strata 3 --per-stratum 5 --state "$T/s" "$T/b.tsv"
expect_stderr_match "drawn with --per-stratum 4, this run has --per-stratum 5"
rm -f "$T/s"
run $L "${o[@]}" --cluster 2 --clusters 3 --state "$T/s" "$T/a.tsv"
expect_rc 2 $L "${o[@]}" --cluster 2 --clusters 4 --state "$T/s" "$T/b.tsv"
expect_stderr_match "drawn with --clusters 3, this run has --clusters 4"
expect_rc 2 $L "${o[@]}" --cluster 3 --clusters 3 --state "$T/s" "$T/b.tsv"
expect_stderr_match "drawn with --cluster '2', this run has --cluster '3'"
expect_rc 2 $L "${o[@]}" --cluster 2 --clusters 3 --within-size 2 --state "$T/s" "$T/b.tsv"
expect_stderr_match "drawn with --within-size 0, this run has --within-size 2"
expect_rc 2 $L "${o[@]}" --cluster 2 --clusters 3 --seed 2 --state "$T/s" "$T/b.tsv"
expect_stderr_match "drawn with --seed 1, this run has --seed 2"

# A damaged payload is refused (exit 3), the state left as it was.
cp "$T/s" "$T/s.good"
size=$(stat -c %s "$T/s")
printf '\x55' | dd of="$T/s" bs=1 seek=$((size - 40)) conv=notrunc status=none
cp "$T/s" "$T/s.bad"
expect_rc 3 $L "${o[@]}" --cluster 2 --clusters 3 --state "$T/s" "$T/b.tsv"
expect_stderr_match "truncated or corrupt"
expect_true "damaged state left as it was" cmp -s "$T/s" "$T/s.bad"

finish
