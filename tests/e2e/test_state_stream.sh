#!/usr/bin/env bash
# `--state FILE` for the streaming and ordered designs (issue 10, plan step
# 6): --rate, --strata F --fractions, --cluster F --rate [--within-rate],
# --head and --every [--start]. For several seeds, chained runs over five
# files split into 2..5 runs print byte for byte what one --state run over
# every file prints, and what one plain run prints (also with --shuffle,
# --header and --emit-weight); each run of a chain prints the sample of the
# files so far; a run whose files are all consumed reads nothing and prints
# the same; a state drawn with another parameter is refused naming it.
# Under LADLE_TEST_SCALE=smoke (sanitizer builds): one seed of the three.
. "$(dirname "$0")/lib.sh"
L=$LADLE
mk() { # mk FILE N TAG: TSV "user <tab> id <tab> v" with a header line
    awk -v n="$2" -v t="$3" 'BEGIN { print "user\tid\tv"; for (i = 1; i <= n; i++)
        printf "u%d\t%s-%d\t%d\n", (i * 7 + length(t)) % 17, t, i, (i * 31) % 5 }' >"$1"
}
mk "$T/A.tsv" 400 A
mk "$T/B.tsv" 250 Bb
mk "$T/C.tsv" 10 C
mk "$T/D.tsv" 300 Ddd
mk "$T/E.tsv" 120 E
zstd -q "$T/D.tsv" -o "$T/D.tsv.zst" || skip "zstd is needed"
all=("$T/A.tsv" "$T/B.tsv" "$T/C.tsv" "$T/D.tsv.zst" "$T/E.tsv")
splits=("2 3" "1 1 1 1 1" "4 1")

designs=(
    "--rate 0.1"
    "--rate 0.2 --emit-weight"
    "--strata v --fractions 0=0.5,1=0.1,*=0.05"
    "--strata v --fractions 0=1,3=0.2 --emit-weight"
    "--cluster user --rate 0.3"
    "--cluster user --rate 0.5 --within-rate 0.4 --emit-weight"
    "--cluster user --rate 0.5 --within-size 2"
    "--cluster user --rate 0.6 --within-size 3 --emit-weight"
    "--head 3"
    "--head 500"
    "--every 7"
    "--every 13 --start 4"
)
n=0
for seed in $(reps 1 9 77 -- 9); do
    for d in "${designs[@]}"; do
        for sh in "" "--shuffle"; do
            # shellcheck disable=SC2206
            opt=($d $sh --seed "$seed" --header --format tsv)
            save one $L sample "${opt[@]}" "${all[@]}"
            n=$((n + 1))
            mkdir -p "$T/s$n"
            expect_same "$T/one" $L sample "${opt[@]}" --state "$T/s$n/whole" "${all[@]}"
            k=0
            for split in "${splits[@]}"; do
                k=$((k + 1))
                st=$T/s$n/state$k
                at=0
                for len in $split; do
                    at=$((at + len))
                    if [ "$len" = 1 ]; then # each run prints the sample so far
                        save prefix $L sample "${opt[@]}" "${all[@]:0:at}"
                        expect_same "$T/prefix" $L sample "${opt[@]}" --state "$st" \
                            "${all[@]:at-len:len}"
                    else
                        run $L sample "${opt[@]}" --state "$st" "${all[@]:at-len:len}"
                    fi
                done
                expect_output_file "$T/one"
            done
            # nothing new: nothing read, the same sample
            expect_same "$T/one" $L sample "${opt[@]}" -v --state "$T/s$n/state1" "${all[@]}"
            grep -q ' 0 records read' "$T/err" && pass || fail "$d $sh seed $seed: read again" \
                "$(cat "$T/err")"
        done
    done
done

# Without --header, on plain lines (no field): the same.
seq 1 900 >"$T/p1.log"
seq 901 1000 >"$T/p2.log"
seq 1001 1700 >"$T/p3.log"
for d in "--rate 0.05" "--head 950" "--every 11" "--every 3 --start 0 --shuffle"; do
    # shellcheck disable=SC2206
    opt=($d --seed 3)
    save one $L sample "${opt[@]}" "$T/p1.log" "$T/p2.log" "$T/p3.log"
    rm -f "$T/pst"
    run $L sample "${opt[@]}" --state "$T/pst" "$T/p1.log"
    run $L sample "${opt[@]}" --state "$T/pst" "$T/p2.log"
    expect_same "$T/one" $L sample "${opt[@]}" --state "$T/pst" "$T/p3.log"
done

# Drawn otherwise: a usage error naming the option as typed, the state kept.
base=(--seed 1 --header --format tsv)
refuse() { # refuse WHAT REGEX: OPTIONS... for the first run, then for the second
    local regex=$1 first=() second=()
    shift
    while [ "$1" != "--" ]; do first+=("$1") && shift; done
    shift
    second=("$@")
    rm -f "$T/r"
    run $L sample "${first[@]}" "${base[@]}" --state "$T/r" "$T/A.tsv"
    cp "$T/r" "$T/r.before"
    expect_rc 2 $L sample "${second[@]}" "${base[@]}" --state "$T/r" "$T/B.tsv"
    expect_stderr_match "state: drawn with $regex"
    expect_true "refused state kept ($regex)" cmp -s "$T/r" "$T/r.before"
}
refuse "--rate 0.10000000000000001, this run has --rate 0.20000000000000001" \
    --rate 0.1 -- --rate 0.2
refuse "no --emit-weight, this run has --emit-weight" --rate 0.1 -- --rate 0.1 --emit-weight
refuse "--fractions '0=0.5', this run has --fractions '0=0.6'" \
    --strata v --fractions 0=0.5 -- --strata v --fractions 0=0.6
refuse "--strata 'v', this run has --strata 'user'" \
    --strata v --fractions 0=0.5 -- --strata user --fractions 0=0.5
refuse "--cluster 'user', this run has --cluster 'v'" \
    --cluster user --rate 0.5 -- --cluster v --rate 0.5
refuse "--within-rate 1, this run has --within-rate 0.5" \
    --cluster user --rate 0.5 -- --cluster user --rate 0.5 --within-rate 0.5
refuse "--head 3, this run has --head 4" --head 3 -- --head 4
refuse "--every 3, this run has --every 4" --every 3 -- --every 4
refuse "--start 1, this run has --start 2" --every 3 --start 1 -- --every 3 --start 2
refuse "--start 1, this run has no --start" --every 3 --start 1 -- --every 3
refuse "--rate, this run has --every" --rate 0.5 -- --every 3
refuse "--head, this run has --cluster" --head 5 -- --cluster user --rate 0.5
refuse "-n, this run has --rate" -n 5 -- --rate 0.5

refuse "--within-size 2, this run has --within-size 3" --cluster user --rate 0.5 \
    --within-size 2 -- --cluster user --rate 0.5 --within-size 3
finish
