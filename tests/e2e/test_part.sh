#!/usr/bin/env bash
# `--part K/N` (issue 11): N part runs, each with --state, merged in any
# order and any grouping, print what one run over all the inputs prints,
# byte for byte, for every design --state carries and for stats; inputs
# are cut where the spans fall (a plain file at records, a multi-frame .zst
# file at frames cut in the middle of records, a .gz file whole), with and
# without --header. Streaming designs without --state: the parts' outputs
# one after the other are the one run's. --part slurm reads the array task.
# Refusals: a bad K/N, stdin, a design that needs --state, a part's state
# continued by --state, a part merged twice.
# Under LADLE_TEST_SCALE=smoke (sanitizer builds): one part count where
# the loops take several (the TSV designs 2, 3, 4, 5 in turn, the JSON ones
# 3, and 2 at -t 1 --chunk-size 4K, stats 4, streaming 3).
. "$(dirname "$0")/lib.sh"
L=$LADLE
command -v zstd >/dev/null || skip "no zstd program to make the .zst input"
command -v gzip >/dev/null || skip "no gzip program to make the .gz input"
mk() { # NAME LINES TAG: a TSV with a header line
    {
        printf 'id\tg\tw\tx\n'
        awk -v n="$2" -v t="$3" 'BEGIN { for (k = 1; k <= n; k++)
            printf "%s-%d\tg%d\t%d\ttext %d %s\n", t, k, (k * 31) % 5, (k * 7919) % 97 + 1, k * k,
                substr("abcdefghijklmnopqrstuvwxyz", 1, k % 26) }'
    } >"$T/$1"
}
mk f1.tsv 3000 a
mk f2.tsv 2500 b
mk f3.tsv 400 c
mk f4.tsv 40 d
printf 'id\tg\tw\tx\n' >"$T/f5.tsv" # a header and no record
mk f6.tsv 900 e
printf 'e-last\tg1\t3\tno line end' >>"$T/f6.tsv"
# f2 as concatenated frames cut every 7000 bytes: frames end inside records
split -b 7000 "$T/f2.tsv" "$T/piece." && for p in "$T"/piece.*; do zstd -q -c "$p"; done >"$T/f2.tsv.zst"
rm -f "$T"/piece.* "$T/f2.tsv"
gzip "$T/f3.tsv"
files=("$T/f1.tsv" "$T/f2.tsv.zst" "$T/f3.tsv.gz" "$T/f4.tsv" "$T/f5.tsv" "$T/f6.tsv")
# The same records as JSON lines without a header: plain files are read
# from inside (no header line to take from byte 0).
for i in 1 4 6; do
    awk -F'\t' 'NR > 1 { printf "{\"id\":\"%s\",\"g\":\"%s\",\"w\":%s}\n", $1, $2, $3 }' \
        "$T/f$i.tsv" >"$T/j$i.jsonl"
done
awk -F'\t' 'NR > 1 { printf "{\"id\":\"%s\",\"g\":\"%s\",\"w\":%s}\n", $1, $2, $3 }' \
    <(zstd -dc "$T/f2.tsv.zst") >"$T/j2.jsonl"
split -b 5000 "$T/j2.jsonl" "$T/piece." && for p in "$T"/piece.*; do zstd -q -c "$p"; done >"$T/j2.jsonl.zst"
rm -f "$T"/piece.* "$T/j2.jsonl"
jfiles=("$T/j1.jsonl" "$T/j2.jsonl.zst" "$T/j4.jsonl" "$T/j6.jsonl")
# pzstd: a skippable frame before each frame, and no content size in the
# frames' headers: the file cannot be cut, and goes whole to one part.
if command -v pzstd >/dev/null; then
    for i in 1 2 3 4 5 6 7 8; do sed "s/\"id\":\"/\"id\":\"p$i/" "$T/j1.jsonl"; done >"$T/j7.jsonl"
    pzstd -q -p 2 -1 "$T/j7.jsonl" -o "$T/j7.jsonl.zst" && rm "$T/j7.jsonl"
    jfiles+=("$T/j7.jsonl.zst")
fi
# A seekable shard written by ladle split: cut by its seek table.
sed 's/"id":"/"id":"s/' "$T/j1.jsonl" >"$T/s1.jsonl"
$L split --format json --ratios all=1 -o "$T/sds" "$T/s1.jsonl" >/dev/null 2>&1
cp "$T/sds/all/part-00000.jsonl.zst" "$T/j8.jsonl.zst" && jfiles+=("$T/j8.jsonl.zst")

ok() {
    run "$@"
    if [ "$RC" = 0 ]; then pass; else fail "$LAST_CMD" "exit $RC" "$(head -c 400 "$T/err")"; fi
}

# parts CMD N MERGEOPT OPT... -- FILES: N part states, merged in reverse
# order, print $T/one; for N = 4 also the grouping (4 1)(3 2).
parts() {
    local cmd=$1 n=$2 m=$3 k d=$T/p
    shift 3
    local opt=()
    while [ "$1" != -- ]; do opt+=("$1") && shift; done
    shift
    rm -rf "$d" && mkdir -p "$d"
    for k in $(seq 1 "$n"); do ok $L "$cmd" "${opt[@]}" --part "$k/$n" --state "$d/s$k" "$@"; done
    # shellcheck disable=SC2086
    expect_same "$T/one" $L merge $m $(for k in $(seq "$n" -1 1); do echo "$d/s$k"; done)
    if [ "$n" = 4 ]; then
        # shellcheck disable=SC2086
        ok $L merge $m --state "$d/a" "$d/s4" "$d/s1"
        # shellcheck disable=SC2086
        ok $L merge $m --state "$d/b" "$d/s3" "$d/s2"
        # shellcheck disable=SC2086
        expect_same "$T/one" $L merge $m "$d/b" "$d/a"
        # shellcheck disable=SC2086
        ok $L merge $m --state "$d/all" "$d/a" "$d/b"
        # shellcheck disable=SC2086
        expect_same "$T/one" $L "$cmd" "${opt[@]}" $m --state "$d/all" "$@"
    fi
}

designs=(
    "-n 12" "-n 5000" "--weight w -n 12" "--weight w -n 12 --emit-weight" "--rate 0.3"
    "--strata g --fractions g0=0.5,g1=0.2,g2=1" "--strata g -n 10" "--strata g --per-stratum 3"
    "--cluster g --rate 0.5" "--cluster g --rate 0.5 --within-rate 0.5"
    "--cluster g --rate 0.5 --within-size 2" "--cluster g --clusters 2"
    "--cluster g --clusters 2 --within-size 3" "--head 10" "--head 3000" "-n 12 --shuffle"
    "--rate 0.3 --shuffle"
)
di=0
for dz in "${designs[@]}"; do
    # shellcheck disable=SC2206
    opt=($dz --seed 3 --format tsv --header)
    m=
    case " $dz " in *" --shuffle "*) m=--shuffle ;; esac
    save one $L sample "${opt[@]}" "${files[@]}"
    # shellcheck disable=SC2206
    base=(${opt[@]/--shuffle/})
    for n in $(reps 1 2 3 4 5 -- $((2 + di % 4))); do parts sample "$n" "$m" "${base[@]}" -- "${files[@]}"; done
    di=$((di + 1))
done
for dz in "-n 20" "--rate 0.2" "--cluster g --clusters 2" "--head 100" "--strata g -n 10"; do
    # shellcheck disable=SC2206
    opt=($dz --seed 9 --format json)
    save one $L sample "${opt[@]}" "${jfiles[@]}"
    for n in $(reps 2 3 5 11 -- 3); do parts sample "$n" "" "${opt[@]}" -- "${jfiles[@]}"; done
    save one $L sample "${opt[@]}" -t 1 --chunk-size 4K "${jfiles[@]}"
    parts sample "$(reps 4 -- 2)" "" "${opt[@]}" -t 1 --chunk-size 4K -- "${jfiles[@]}"
done

# stats: the merged counts report what stats over every input reports.
for fz in "--field w" "--field w --field g"; do
    # shellcheck disable=SC2206
    opt=($fz --format tsv --header)
    save one $L stats "${opt[@]}" --tsv "${files[@]}"
    for n in $(reps 1 3 4 -- 4); do parts stats "$n" --tsv "${opt[@]}" -- "${files[@]}"; done
done
run $L stats --field w --format tsv --header --part 1/2 --state "$T/st1" "${files[@]}"
expect_true "stats --part --state prints nothing" test ! -s "$T/out"

# Streaming designs without --state: the parts' outputs in part order.
for dz in "--rate 0.3" "--strata g --fractions g0=0.5,g1=0.2" "--cluster g --rate 0.5"; do
    # shellcheck disable=SC2206
    opt=($dz --seed 4 --format json)
    save one $L sample "${opt[@]}" "${jfiles[@]}"
    for n in $(reps 1 2 3 7 -- 3); do
        : >"$T/cat"
        for k in $(seq 1 "$n"); do $L sample "${opt[@]}" --part "$k/$n" "${jfiles[@]}" >>"$T/cat"; done
        expect_eq "--part $n parts one after the other ($dz)" "$(sha_of "$T/one")" "$(sha_of "$T/cat")"
    done
done

# --part slurm: the task's place in the array, from its first id.
save one $L sample -n 30 --format tsv --header "${files[@]}"
rm -rf "$T/sl" && mkdir "$T/sl"
for id in 4 5 6; do
    SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_MIN=4 SLURM_ARRAY_TASK_COUNT=3 \
        ok $L sample -n 30 --format tsv --header --part slurm --state "$T/sl/$id" "${files[@]}"
done
expect_same "$T/one" $L merge "$T/sl/6" "$T/sl/4" "$T/sl/5"
run $L merge "$T/sl/6" "$T/sl/4"
expect_true "a merge without every part: fewer records" test "$(lines_of "$T/out")" -le 31

# A seek table that lies about a frame's size: the part that ends at the
# frame says so (exit 3) instead of losing the records between the parts;
# the table as written cuts to one run's sample.
for i in $(seq 1 28); do cat "$T/j1.jsonl"; done | awk '{ print NR " " $0 }' >"$T/two.jsonl"
rm -rf "$T/lds" && $L split --format lines --ratios all=1 -o "$T/lds" "$T/two.jsonl" >/dev/null 2>&1
f=$(ls "$T"/lds/all/*.zst)
sz=$(stat -c %s "$f")
nf=$(od -An -tu4 -j $((sz - 9)) -N4 "$f" | tr -d ' ')
es=$(($(od -An -tu1 -j $((sz - 5)) -N1 "$f" | tr -d ' ') & 128 ? 12 : 8))
at=$((sz - 9 - nf * es + 4)) # the first frame's decompressed size
d1=$(od -An -tu4 -j "$at" -N4 "$f" | tr -d ' ')
expect_eq "the seekable shard has two frames" 2 "$nf"
save one $L sample -n 7 "$f"
rm -f "$T"/sk?.st
for k in 1 2; do ok $L sample -n 7 --part "$k/2" --state "$T/sk$k.st" "$f"; done
expect_same "$T/one" $L merge "$T/sk2.st" "$T/sk1.st"
cp "$f" "$T/lie.zst"
v=$((d1 - 5000))
printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((v & 255)) $(((v >> 8) & 255)) $(((v >> 16) & 255)) \
    $(((v >> 24) & 255)))" | dd of="$T/lie.zst" bs=1 seek="$at" conv=notrunc 2>/dev/null
expect_rc 0 $L sample -n 7 "$T/lie.zst" # one run does not read the table
expect_rc 3 $L sample -n 7 --part 1/2 --state "$T/x" "$T/lie.zst"
expect_stderr_match "frame sizes disagree with its data"

# Refusals.
for bad in 0/3 4/3 3 1/0 x/2 "1/2/3"; do
    expect_rc 2 $L sample -n 3 --part "$bad" --state "$T/x" "${files[@]}"
    expect_stderr_match "give K/N"
done
expect_rc 2 env -u SLURM_ARRAY_TASK_ID $L sample -n 3 --part slurm --state "$T/x" "${files[@]}"
expect_stderr_match "SLURM_ARRAY_TASK_ID"
expect_rc 2 $L sample -n 3 --part 1/2 --state "$T/x" - <"$T/f1.tsv"
expect_stderr_match "stdin cannot be cut"
expect_rc 2 $L sample -n 3 --part 1/2 "${files[@]}"
expect_stderr_match "needs --state"
expect_rc 2 $L sample --every 10 --part 1/2 --state "$T/x" "${files[@]}"
expect_stderr_match "does not go with --every"
expect_rc 2 $L split --ratios a=0.5,b=0.5 --stratify g --format tsv --header --part 1/2 -o "$T/ds" "${files[@]}"
expect_stderr_match "does not go with --stratify"
expect_rc 2 $L sample -n 30 --format tsv --header --state "$T/sl/5" "${files[@]}"
expect_stderr_match "merge every part"
expect_rc 2 $L merge "$T/sl/4" "$T/sl/5" "$T/sl/4"
expect_stderr_match "both consumed source"
finish
