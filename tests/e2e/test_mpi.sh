#!/usr/bin/env bash
# `mpirun -np N ladle-mpi sample|stats ...` (issue 11, item 2): for every
# design --state carries and N = 1..5, rank 0 prints what one `ladle
# sample` over the same inputs prints, byte for byte (stats --field: the
# --tsv report); --state OUT writes the merged
# state instead (ladle merge OUT prints the sample) and prints nothing; a
# failing rank (a corrupt .zst, a missing file) or a usage error gives one
# message and the command's exit code; --snowball and --part are refused;
# no rank leaves a file in $TMPDIR. Skipped (77) only when ladle-mpi was
# not built (no MPI, or a sanitizer build).
. "$(dirname "$0")/lib.sh"
L=$LADLE
LM=${LADLE_MPI:-$(dirname "$L")/ladle-mpi}
[ -x "$LM" ] || skip "ladle-mpi not built (no MPI found, or a sanitizer build)"
command -v mpirun >/dev/null || {
    echo "FAIL: ladle-mpi is built but mpirun is not installed"
    exit 1
}
command -v zstd >/dev/null || skip "no zstd program to make the .zst input"
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Every rank's temporary files go here: empty after each run.
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
# -q: mpirun's own report of a rank's non-zero exit stays quiet; shared
# memory between the ranks of this one node (LADLE_MPIRUN_FLAGS: others).
# shellcheck disable=SC2206
MPI=(mpirun -q --oversubscribe ${LADLE_MPIRUN_FLAGS:---mca pml ob1 --mca btl self,vader})

# Five small TSV files with a header (one .zst) and one larger, so that a
# part may be a byte range of a file.
for i in 1 2 3 4 5; do
    {
        printf 'id\tg\tw\tx\n'
        awk -v n=$((12 + i * 5 + (i == 4) * 3000)) -v t="$i" 'BEGIN { for (k = 1; k <= n; k++)
            printf "f%s-%d\tg%d\t%d\ttext %d\n", t, k, (k * 31 + t) % 4, (k * 7919 + t) % 97 + 1, k * k }'
    } >"$T/f$i.tsv"
done
zstd -q "$T/f3.tsv" -o "$T/f3.tsv.zst" && rm "$T/f3.tsv"
files=("$T/f1.tsv" "$T/f2.tsv" "$T/f3.tsv.zst" "$T/f4.tsv" "$T/f5.tsv")

# What ladle-mpi refuses before any rank reads: said once, exit 2.
expect_rc 2 "${MPI[@]}" -np 3 "$LM" sample --snowball --seeds "$T/f1.tsv" --link a:b "$T/f1.tsv"
expect_stderr_match '^ladle: .*--snowball'
expect_rc 2 "${MPI[@]}" -np 2 "$LM" sample -n 5 --part 1/2 "$T/f1.tsv"
expect_stderr_match '^ladle: .*--part'
expect_rc 2 "${MPI[@]}" -np 2 "$LM" bogus
expect_stderr_match "^ladle: .*unknown command 'bogus'"
expect_rc 0 "${MPI[@]}" -np 2 "$LM" --version
expect_eq "ladle-mpi --version: one line" 1 "$(lines_of "$T/out")"

# ladle-mpi runs each rank's share as --part K/N (issue 11, item 1): on a
# tree without it there is nothing to compare yet.
printf 'a\n' >"$T/probe"
if ! $L sample --part 1/1 -n 1 "$T/probe" >/dev/null 2>"$T/err" &&
    grep -q "unknown option '--part'" "$T/err"; then
    [ "$FAILED" = 0 ] || finish # the checks above failed: not a skip
    skip "ladle sample has no --part in this tree (the checks above: $PASSED passed)"
fi

tmp_empty() {
    if [ -z "$(ls -A "$TMPDIR")" ]; then
        pass
    else
        fail "$LAST_CMD: files left in TMPDIR" "$(ls -A "$TMPDIR" | head -5)"
        rm -rf "${TMPDIR:?}"/*
    fi
}

designs=(
    "-n 12" "--weight w -n 12" "--weight w -n 12 --emit-weight" "--rate 0.3"
    "--strata g --fractions g0=0.5,g1=0.2,g2=1" "--strata g -n 10" "--strata g --per-stratum 3"
    "--cluster g --rate 0.5" "--cluster g --rate 0.5 --within-rate 0.5"
    "--cluster g --rate 0.5 --within-size 2" "--cluster g --clusters 2" "--head 40"
    "-n 12 --shuffle"
)
for dz in "${designs[@]}"; do
    # shellcheck disable=SC2206
    opt=($dz --seed 7 --format tsv --header)
    save one $L sample "${opt[@]}" "${files[@]}"
    for np in 1 2 3 4 5; do
        expect_same "$T/one" "${MPI[@]}" -np $np "$LM" sample "${opt[@]}" "${files[@]}"
        tmp_empty
    done
done

# stats --field: the --tsv report whole (the table's totals are the
# merge's reads and its quantiles the states' histograms, as ladle merge's).
for fz in "--field w" "--field w --field g"; do
    # shellcheck disable=SC2206
    opt=($fz --format tsv --header)
    save one $L stats "${opt[@]}" --tsv "${files[@]}"
    for np in 1 2 3 4 5; do
        expect_same "$T/one" "${MPI[@]}" -np $np "$LM" stats "${opt[@]}" --tsv "${files[@]}"
    done
    tmp_empty
done

# --state OUT: the merged state, nothing printed; it merges into the sample.
opt=(-n 12 --seed 3 --format tsv --header)
save one $L sample "${opt[@]}" "${files[@]}"
echo stale >"$T/out.st"
for np in 1 3; do
    run "${MPI[@]}" -np $np "$LM" sample "${opt[@]}" --state "$T/out.st" "${files[@]}"
    expect_eq "ladle-mpi --state OUT -np $np: exit" 0 "$RC"
    expect_stdout_empty
    expect_same "$T/one" $L merge "$T/out.st"
done
tmp_empty

# A failing rank: one message, the command's exit code, nothing printed.
zstd -q -c "$T/f4.tsv" | head -c 4000 >"$T/cut.tsv.zst"
head -c 2000 /dev/urandom >"$T/junk.zst"
for np in 1 3 5; do
    expect_rc 3 "${MPI[@]}" -np $np "$LM" sample -n 5 --format tsv --header \
        "$T/f1.tsv" "$T/f2.tsv" "$T/cut.tsv.zst" "$T/f4.tsv" "$T/f5.tsv"
    expect_stderr_match 'cut\.tsv\.zst'
    expect_stdout_empty
    expect_rc 3 "${MPI[@]}" -np $np "$LM" sample -n 5 "$T/f1.tsv" "$T/nonexistent"
    expect_stderr_match '^ladle: .*nonexistent'
    tmp_empty
done
expect_rc 2 "${MPI[@]}" -np 3 "$LM" sample -n 5 --bogus "$T/f1.tsv"
expect_stderr_match "^ladle: unknown option '--bogus'"
tmp_empty

# ladle-mpi split -o DIR: each split's records, read in manifest order, are
# one `ladle split`'s (JSON lines: no header line per shard); verify passes;
# a failing rank or a killed one leaves DIR as it was and no temporary
# folder beside it.
for i in 1 2 3 4 5; do
    awk -F'\t' 'NR > 1 { printf "{\"id\":\"%s\",\"g\":\"%s\",\"w\":%s}\n", $1, $2, $3 }' \
        <(if [ -f "$T/f$i.tsv" ]; then cat "$T/f$i.tsv"; else zstd -dc "$T/f$i.tsv.zst"; fi) >"$T/j$i.jsonl"
done
jfiles=("$T/j1.jsonl" "$T/j2.jsonl" "$T/j3.jsonl" "$T/j4.jsonl" "$T/j5.jsonl")
shards_of() { # DIR SPLIT: the split's records in manifest order
    jq -r --arg s "$2" '.splits[] | select(.name == $s) | .shards[].file' "$1/manifest.json" |
        while read -r f; do zstd -dc "$1/$f"; done
}
for sopt in "--ratios train=0.8,test=0.2" "--ratios train=0.7,test=0.3 --by id" \
    "--rate 0.5 --ratios a=0.5,b=0.5"; do
    # shellcheck disable=SC2206
    opt=($sopt --seed 5 --format json --shard-records 40)
    rm -rf "$T/one.ds" && $L split "${opt[@]}" -o "$T/one.ds" "${jfiles[@]}" 2>/dev/null
    for np in 1 2 3 4; do
        rm -rf "$T/mpi.ds"
        run "${MPI[@]}" -np $np "$LM" split "${opt[@]}" -o "$T/mpi.ds" "${jfiles[@]}"
        if [ "${sopt#--rate}" = "$sopt" ]; then
            expect_eq "ladle-mpi split -np $np ($sopt): exit" 0 "$RC"
            for s in $(jq -r '.splits[].name' "$T/one.ds/manifest.json"); do
                expect_eq "ladle-mpi split -np $np ($sopt): split $s" \
                    "$(shards_of "$T/one.ds" "$s" | sha256sum)" "$(shards_of "$T/mpi.ds" "$s" | sha256sum)"
            done
            expect_rc 0 $L verify "$T/mpi.ds"
        else # a sample design: the join refuses it (ladle merge -o), nothing is left
            expect_eq "ladle-mpi split -np $np ($sopt): refused" 2 "$RC"
        fi
        expect_eq "no temporary folder left" "" "$(ls -A "$T" | grep ladle-mpi)"
        tmp_empty
    done
done
# DIR as it was: a damaged input on one rank; a rank killed mid-run.
rm -rf "$T/keep.ds" && $L split --ratios a=0.5,b=0.5 --format json -o "$T/keep.ds" "$T/j1.jsonl"
before=$(cd "$T/keep.ds" && find . -type f -exec sha256sum {} + | sort | sha256sum)
zstd -q -c "$T/j4.jsonl" | head -c 3000 >"$T/cut.jsonl.zst"
expect_rc 3 "${MPI[@]}" -np 3 "$LM" split --ratios a=0.5,b=0.5 --format json --force \
    -o "$T/keep.ds" "$T/j1.jsonl" "$T/j2.jsonl" "$T/cut.jsonl.zst" "$T/j5.jsonl"
expect_stderr_match 'cut\.jsonl\.zst'
expect_eq "a failing rank: DIR as it was" "$before" \
    "$(cd "$T/keep.ds" && find . -type f -exec sha256sum {} + | sort | sha256sum)"
expect_eq "a failing rank: no temporary folder" "" "$(ls -A "$T" | grep ladle-mpi)"
for i in $(seq 1 300); do cat "$T/j4.jsonl"; done >"$T/big.jsonl"
"${MPI[@]}" -np 3 "$LM" split --ratios a=0.5,b=0.5 --format json --force --level 19 \
    -o "$T/keep.ds" "$T/big.jsonl" "$T/j1.jsonl" >/dev/null 2>&1 &
mpid=$!
for i in $(seq 1 50); do
    pid=$(pgrep -P "$mpid" -f "ladle-mpi split" | tail -1) # a rank: mpirun's child
    [ -n "$pid" ] && [ -n "$(ls -A "$T" | grep ladle-mpi)" ] && break
    sleep 0.1
done
[ -n "$pid" ] && kill -KILL "$pid"
wait "$mpid" 2>/dev/null
for i in $(seq 1 50); do [ -z "$(ls -A "$T" | grep ladle-mpi)" ] && break; sleep 0.1; done
expect_eq "a killed rank: DIR as it was" "$before" \
    "$(cd "$T/keep.ds" && find . -type f -exec sha256sum {} + | sort | sha256sum)"
expect_eq "a killed rank: no temporary folder" "" "$(ls -A "$T" | grep ladle-mpi)"
finish
