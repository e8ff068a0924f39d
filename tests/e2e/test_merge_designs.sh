#!/usr/bin/env bash
# `ladle merge` for every design --state carries (issue 10, "Done when"
# (b)): per-file states of five small files (one .zst, a TSV with --header)
# merged in any tree, in file order -- all five at once, (((12)3)4)5 with
# intermediate OUT files, (12)(345), 1(2(3(45))) -- print what one --state
# run over the five files prints, byte for byte, and what a plain run
# prints; a merged state goes on with `sample --state OUT F6` as one run
# over six files; argument order changes only the order (--head: the
# first N of the files in argument order); a state drawn otherwise is
# refused naming the flag and both files; a source in two states too.
# stats --field states merge into the report stats prints (--tsv, --json,
# the table; chosen at merge time).
# Under LADLE_TEST_SCALE=smoke (sanitizer builds): seed 7 only, 12 of the 23
# designs (each kind of state once; of the --shuffle ones, which merge the
# same states, two), the trees all-at-once and (12)(345) only (stats
# too, and without --top), three designs for argument order.
. "$(dirname "$0")/lib.sh"
L=$LADLE
command -v zstd >/dev/null || skip "no zstd program to make the .zst input"
for i in 1 2 3 4 5 6; do
    {
        printf 'id\tg\tw\tx\n'
        awk -v n=$((12 + i * 5)) -v t="$i" 'BEGIN { for (k = 1; k <= n; k++)
            printf "f%s-%d\tg%d\t%d\ttext %d\n", t, k, (k * 31 + t) % 4, (k * 7919 + t) % 97 + 1, k * k }'
    } >"$T/f$i.tsv"
done
zstd -q "$T/f3.tsv" -o "$T/f3.tsv.zst" && rm "$T/f3.tsv"
files=("$T/f1.tsv" "$T/f2.tsv" "$T/f3.tsv.zst" "$T/f4.tsv" "$T/f5.tsv")

# ok CMD...: run, which must exit 0 (an intermediate merge).
ok() {
    run "$@"
    if [ "$RC" = 0 ]; then pass; else fail "$LAST_CMD" "exit $RC" "$(head -c 400 "$T/err")"; fi
}

# trees CMD MERGE OPT...: CMD (sample or stats) with OPT over each file into
# a state; every merge tree in file order prints $T/one; MERGE holds merge's
# output options (--shuffle, --tsv). Then the merged state goes on over f6.
trees() {
    local cmd=$1 m=$2 d=$T/tr i
    shift 2
    # shellcheck disable=SC2206
    local M=(merge $m)
    rm -rf "$d" && mkdir -p "$d"
    for i in 1 2 3 4 5; do ok $L "$cmd" "$@" --state "$d/s$i" "${files[$((i - 1))]}"; done
    local s=("$d/s1" "$d/s2" "$d/s3" "$d/s4" "$d/s5")
    expect_same "$T/one" $L "${M[@]}" "${s[@]}" # all five at once
    if ! smoke; then
        ok $L "${M[@]}" --state "$d/a" "${s[0]}" "${s[1]}" # (((12)3)4)5
        ok $L "${M[@]}" --state "$d/a2" "$d/a" "${s[2]}"
        ok $L "${M[@]}" --state "$d/a" "$d/a2" "${s[3]}"
        expect_same "$T/one" $L "${M[@]}" "$d/a" "${s[4]}"
    fi
    ok $L "${M[@]}" --state "$d/b" "${s[0]}" "${s[1]}" # (12)(345)
    ok $L "${M[@]}" --state "$d/c" "${s[2]}" "${s[3]}" "${s[4]}"
    expect_same "$T/one" $L "${M[@]}" "$d/b" "$d/c"
    if ! smoke; then
        ok $L "${M[@]}" --state "$d/e" "${s[3]}" "${s[4]}" # 1(2(3(45)))
        ok $L "${M[@]}" --state "$d/e" "${s[2]}" "$d/e"
        ok $L "${M[@]}" --state "$d/e" "${s[1]}" "$d/e"
        expect_same "$T/one" $L "${M[@]}" "${s[0]}" "$d/e"
    fi
    ok $L "${M[@]}" --state "$d/h" "$d/b" "$d/c" # goes on over f6
    expect_same "$T/six" $L "$cmd" "$@" $m --state "$d/h" "$T/f6.tsv"
}

# sample designs: the --state run over five files is the reference, and
# equals the plain run; six files for the merged state that goes on.
designs=(
    "-n 12" "-n 1000" "--weight w -n 12" "--weight w -n 12 --emit-weight" "--rate 0.3"
    "--strata g --fractions g0=0.5,g1=0.2,g2=1" "--strata g -n 10" "--strata g --per-stratum 3"
    "--cluster g --rate 0.5" "--cluster g --rate 0.5 --within-rate 0.5"
    "--cluster g --rate 0.5 --within-size 2" "--cluster g --clusters 2"
    "--cluster g --clusters 2 --within-rate 0.5" "--cluster g --clusters 2 --within-size 3"
    "--head 10" "--head 40" "--head 1000" "-n 12 --shuffle" "--weight w -n 12 --shuffle"
    "--rate 0.3 --shuffle" "--strata g -n 10 --shuffle" "--cluster g --clusters 2 --shuffle"
    "--head 40 --shuffle"
)
smoke && designs=(
    "-n 12" "-n 1000" "--weight w -n 12 --emit-weight" "--rate 0.3"
    "--strata g --fractions g0=0.5,g1=0.2,g2=1" "--strata g -n 10" "--strata g --per-stratum 3"
    "--cluster g --rate 0.5 --within-rate 0.5" "--cluster g --clusters 2 --within-size 3"
    "--head 40" "-n 12 --shuffle" "--head 40 --shuffle"
)
for seed in $(reps 1 7 -- 7); do
    for dz in "${designs[@]}"; do
        # shellcheck disable=SC2206
        opt=($dz --seed "$seed" --format tsv --header)
        m=
        case " $dz " in *" --shuffle "*) m=--shuffle ;; esac
        rm -f "$T/all" "$T/all6"
        save one $L sample "${opt[@]}" --state "$T/all" "${files[@]}"
        expect_same "$T/one" $L sample "${opt[@]}" "${files[@]}"
        save six $L sample "${opt[@]}" --state "$T/all6" "${files[@]}" "$T/f6.tsv"
        # shellcheck disable=SC2206
        base=(${opt[@]/--shuffle/})
        trees sample "$m" "${base[@]}"
    done
done

# stats: the report of the merged counts is the --state run's (--tsv whole;
# --json and the table below their totals, which are each run's reads).
tops=("" "--top 3")
smoke && tops=("")
for fz in "--field w" "--field w --field g"; do
    for top in "${tops[@]}"; do
        # shellcheck disable=SC2206
        opt=($fz --format tsv --header)
        rm -f "$T/all" "$T/all6"
        # shellcheck disable=SC2086
        save one $L stats "${opt[@]}" $top --tsv --state "$T/all" "${files[@]}"
        # shellcheck disable=SC2086
        save six $L stats "${opt[@]}" $top --tsv --state "$T/all6" "${files[@]}" "$T/f6.tsv"
        expect_true "stats --tsv lists values ($fz)" grep -q '^w	' "$T/one"
        trees stats "--tsv $top" "${opt[@]}"
    done
    rm -f "$T/all"
    save j $L stats "${opt[@]}" --top 3 --json --state "$T/all" "${files[@]}"
    save jm $L merge --top 3 --json "$T"/tr/s?
    expect_eq "merge --json: the fields ($fz)" "$(tail -n +2 "$T/j")" "$(tail -n +2 "$T/jm")"
    expect_true "merge --json: one object" grep -q '^{"records":0,' "$T/jm"
    rm -f "$T/all"
    save t $L stats "${opt[@]}" --state "$T/all" "${files[@]}"
    save tm $L merge "$T"/tr/s?
    expect_eq "merge: the table ($fz)" "$(sed -n '/^field/,$p' "$T/t")" "$(sed -n '/^field/,$p' "$T/tm")"
done
save tm $L merge --top 2 "$T"/tr/s?
expect_eq "merge --top 2 lists two values per field" 2 "$(grep -c '^top 2' "$T/tm")"

# Argument order changes the order only; --head keeps the first N of the
# files in argument order.
rev=("$T/f5.tsv" "$T/f3.tsv.zst" "$T/f1.tsv" "$T/f4.tsv" "$T/f2.tsv")
designs=("-n 12" "--weight w -n 12" "--rate 0.3" "--strata g --fractions g0=0.5"
    "--strata g -n 10" "--strata g --per-stratum 3" "--cluster g --rate 0.5"
    "--cluster g --clusters 2")
smoke && designs=("-n 12" "--strata g -n 10" "--cluster g --clusters 2")
for dz in "${designs[@]}"; do
    # shellcheck disable=SC2206
    opt=($dz --seed 5 --format tsv --header)
    rm -f "$T"/o?
    for i in 1 2 3 4 5; do ok $L sample "${opt[@]}" --state "$T/o$i" "${files[$((i - 1))]}"; done
    save fwd $L merge "$T/o1" "$T/o2" "$T/o3" "$T/o4" "$T/o5"
    save back $L merge "$T/o5" "$T/o3" "$T/o1" "$T/o4" "$T/o2"
    expect_eq "same records in any order ($dz)" "$(sort "$T/fwd")" "$(sort "$T/back")"
    expect_same "$T/back" $L sample "${opt[@]}" "${rev[@]}"
done
for i in 1 2 3 4 5; do ok $L sample --head 30 --format tsv --header --state "$T/hd$i" "${files[$((i - 1))]}"; done
save back $L sample --head 30 --format tsv --header "${rev[@]}"
expect_same "$T/back" $L merge "$T/hd5" "$T/hd3" "$T/hd1" "$T/hd4" "$T/hd2"
expect_true "--head: the first records of the first argument" sh -c "sed -n 2p '$T/out' | grep -q '^f5-1	'"

# Refusals: a parameter drawn otherwise (the flag and both files), a
# source in two states; the merge of stats and sample output options.
refuse() { # WANT OPT_A -- OPT_B: states of f1 and f2 drawn with each
    local want=$1 a=() b=()
    shift
    while [ "$1" != -- ]; do a+=("$1") && shift; done
    shift
    b=("$@")
    rm -f "$T/ra" "$T/rb"
    ok $L "${a[@]}" --format tsv --header --state "$T/ra" "$T/f1.tsv"
    ok $L "${b[@]}" --format tsv --header --state "$T/rb" "$T/f2.tsv"
    expect_rc 2 $L merge "$T/ra" "$T/rb"
    expect_stderr_match "merge: .*/ra and .*/rb were drawn differently: .*/ra has $want"
    expect_stdout_empty
}
refuse "--rate 0.29999999999999999, .*/rb has --rate 0.5" sample --rate 0.3 -- sample --rate 0.5
refuse "--fractions 'g0=0.5', .*/rb has --fractions 'g0=0.2'" \
    sample --strata g --fractions g0=0.5 -- sample --strata g --fractions g0=0.2
refuse "-n 10, .*/rb has -n 11" sample --strata g -n 10 -- sample --strata g -n 11
refuse "--strata 'g', .*/rb has --strata 'id'" sample --strata g -n 10 -- sample --strata id -n 10
refuse "--per-stratum 3, .*/rb has --per-stratum 4" \
    sample --strata g --per-stratum 3 -- sample --strata g --per-stratum 4
refuse "--within-rate 0.5, .*/rb has --within-rate 1" \
    sample --cluster g --rate 0.5 --within-rate 0.5 -- sample --cluster g --rate 0.5
refuse "--clusters 2, .*/rb has --clusters 3" \
    sample --cluster g --clusters 2 -- sample --cluster g --clusters 3
refuse "--within-size 0, .*/rb has --within-size 3" \
    sample --cluster g --clusters 2 -- sample --cluster g --clusters 2 --within-size 3
refuse "--head 10, .*/rb has --head 11" sample --head 10 -- sample --head 11
refuse "--field 'w', .*/rb has --field 'g'" stats --field w -- stats --field g
refuse "--field 'w' --field 'g', .*/rb has --field 'w'" stats --field w --field g -- stats --field w
refuse "--missing 'skip', .*/rb has --missing 'keep'" \
    stats --field w -- stats --field w --missing keep
refuse "-n, .*/rb has stats --field" sample -n 3 -- stats --field w
# A chained stats run still refuses a state counted with other fields.
ok $L stats --field w --field g --format tsv --header --state "$T/sf" "$T/f1.tsv"
expect_rc 2 $L stats --field w --format tsv --header --state "$T/sf" "$T/f2.tsv"
expect_stderr_match "state: drawn with --field 'w' --field 'g', this run has --field 'w'"
for kind in "sample --strata g -n 10" "sample --head 10" "stats --field w"; do
    # shellcheck disable=SC2206
    k=($kind)
    rm -f "$T/p1" "$T/p2"
    ok $L "${k[@]}" --format tsv --header --state "$T/p1" "$T/f1.tsv"
    ok $L "${k[@]}" --format tsv --header --state "$T/p2" "$T/f1.tsv" "$T/f2.tsv"
    expect_rc 2 $L merge "$T/p1" "$T/p2"
    expect_stderr_match "merge: .*/p1 and .*/p2 both consumed source f1.tsv"
done
# stats without --field: the totals only (of this run's reads: none).
ok $L stats --format tsv --header --state "$T/nf1" "$T/f1.tsv"
ok $L stats --format tsv --header --state "$T/nf2" "$T/f2.tsv"
ok $L merge "$T/nf1" "$T/nf2"
expect_true "merge of stats without --field: the totals" grep -q '^records      0$' "$T/out"
expect_rc 2 $L merge --tsv "$T/nf1" "$T/nf2"
expect_stderr_match "--tsv lists values: the states counted no --field"
expect_rc 2 $L merge --json "$T/ra"
expect_stderr_match "--json goes with stats states"
expect_rc 2 $L merge --shuffle "$T/p1"
expect_stderr_match "--shuffle goes with sample states"
expect_rc 2 $L merge --json --tsv "$T/p1"
expect_stderr_match "choose one of --json and --tsv"
finish
