#!/usr/bin/env bash
# `--state FILE` for --strata F -n N / --per-stratum N and --cluster F
# --clusters M (issue 10, plan step 7), and `ladle stats --field --state`
# (step 8): for each design and several seeds, chained runs over 5 small
# files, split into 2 to 5 runs, print byte for byte what one --state run
# over every file prints, and what one plain run prints (stats: see below);
# a state drawn with another -n, --per-stratum, --clusters, field, ... is a
# usage error naming the option as typed.
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
    local ref=$1 split=$2 k at=0 n
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
for seed in 1 7 42; do
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
