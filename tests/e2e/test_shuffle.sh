#!/usr/bin/env bash
# ladle shuffle and the out-of-core --shuffle: a file several times larger
# than --memory comes out as a permutation of its records, byte-identical
# for any --threads, --memory and --chunk-size, and identical to the
# in-memory path and to `sample --rate 1 --shuffle`; split --shuffle writes
# its shards in that key order; the runs spilled to --tmpdir leave nothing
# behind (during the run, after SIGINT, after a failure); a full temporary
# disk is exit 4 with a clear message; header first; CRLF and a missing
# final newline kept as sample keeps them. (Uniformity over seeds:
# tests/stat/test_stat_shuffle.c.)
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
TMPD="$T/tmpdir"
mkdir -p "$TMPD"

tmp_empty() { # tmp_empty WHAT: nothing left in the spill folder
    expect_eq "$1: nothing left in --tmpdir" "" "$(ls -A "$TMPD")"
}

make_log "$T/big.log" 24000 12 # ~3 MB: 4x and more a --memory of 512K
sort "$T/big.log" >"$T/big.sorted"

# ---- the reference: in memory (nothing spills under 1G)
save ref "$L" shuffle --memory 1G --tmpdir "$TMPD" "$T/big.log"
expect_eq "shuffle: as many records as the input" "$(lines_of "$T/big.log")" "$(lines_of "$T/ref")"
sort "$T/ref" >"$T/ref.sorted"
expect_true "shuffle: a permutation (sorted output == sorted input)" \
    cmp -s "$T/big.sorted" "$T/ref.sorted"
expect_true "shuffle: not the input order" test "$(sha_of "$T/ref")" != "$(sha_of "$T/big.log")"

# ---- spilled: every memory, thread count and chunk size gives the same bytes
for m in 512K 1M 4M; do
    for t in 1 2 4; do
        expect_same "$T/ref" "$L" shuffle --memory $m -t $t --tmpdir "$TMPD" "$T/big.log"
    done
done
expect_same "$T/ref" "$L" shuffle --memory 700K --chunk-size 64K --tmpdir "$TMPD" "$T/big.log"
expect_same "$T/ref" "$L" shuffle --memory 1M --chunk-size 3M -t 3 --tmpdir "$TMPD" "$T/big.log"
run "$L" shuffle -v --memory 512K --tmpdir "$TMPD" "$T/big.log"
expect_true "shuffle -v --memory 512K: says how many runs spilled" \
    grep -Eq '^ladle: shuffle: [0-9]+ runs, [0-9]+ bytes written' "$T/err"
tmp_empty "shuffle --memory 512K"
# more runs than a small memory can read at once: groups merge into one first
run "$L" shuffle -v -t 3 --memory 64K --tmpdir "$TMPD" "$T/big.log"
expect_output_file "$T/ref"
expect_true "shuffle -v --memory 64K: runs merged into one before the last" \
    grep -Eq '^ladle: shuffle: [0-9]+ runs, .*\([0-9]+ merges of runs into one before the last\)$' "$T/err"
# sample --shuffle alone, sample --rate 1 --shuffle: the same command
expect_same "$T/ref" "$L" sample --shuffle --memory 512K --tmpdir "$TMPD" "$T/big.log"
expect_same "$T/ref" "$L" sample --rate 1 --shuffle --memory 2M --tmpdir "$TMPD" "$T/big.log"
# TMPDIR is the default folder
expect_same "$T/ref" env TMPDIR="$TMPD" "$L" shuffle --memory 512K "$T/big.log"
tmp_empty "TMPDIR"
# stdin, and compressed input
expect_same_sh "$T/ref" "'$L' shuffle --memory 512K --tmpdir '$TMPD' --source-name big.log <'$T/big.log'"
gzip -c "$T/big.log" >"$T/big.log.gz"
expect_same "$T/ref" "$L" shuffle --memory 512K --tmpdir "$TMPD" "$T/big.log.gz"
# another seed, another order; the same records
save s7 "$L" shuffle --seed 7 --memory 512K --tmpdir "$TMPD" "$T/big.log"
expect_true "shuffle --seed 7: another order" test "$(sha_of "$T/s7")" != "$(sha_of "$T/ref")"
expect_true "shuffle --seed 7: a permutation" cmp -s "$T/big.sorted" <(sort "$T/s7")
# a streaming design's sample, shuffled, spilled or not
save r1 "$L" sample --rate 0.5 --shuffle --memory 1G --tmpdir "$TMPD" "$T/big.log"
expect_same "$T/r1" "$L" sample --rate 0.5 --shuffle --memory 256K -t 3 --tmpdir "$TMPD" "$T/big.log"
# records longer than the buffer: runs of one
awk 'BEGIN { for (i = 0; i < 40; i++) { printf "r%d ", i; for (k = 0; k < 2000 + i * 50; k++) printf "y"; print "" } }' >"$T/long.log"
save long_ref "$L" shuffle --memory 1G --tmpdir "$TMPD" "$T/long.log"
expect_same "$T/long_ref" "$L" shuffle --memory 64K --tmpdir "$TMPD" "$T/long.log"
expect_true "records longer than --memory: a permutation" \
    cmp -s <(sort "$T/long.log") <(sort "$T/long_ref")

# ---- header first; CRLF and no final newline as sample --rate 1 keeps them
{
    printf 'id\tname\n'
    awk 'BEGIN { for (i = 0; i < 20000; i++) printf "%d\tn%d_%s\n", i, i * 7, substr("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 1, i % 30) }'
} >"$T/h.tsv"
save h_ref "$L" shuffle --header --memory 1G --tmpdir "$TMPD" "$T/h.tsv"
expect_eq "shuffle --header: the header line first" "id	name" "$(head -1 "$T/h_ref")"
expect_eq "shuffle --header: once" 1 "$(grep -c '^id	name$' "$T/h_ref")"
expect_same "$T/h_ref" "$L" shuffle --header --memory 128K --tmpdir "$TMPD" "$T/h.tsv"
awk '{ printf "%s\r\n", $0 }' "$T/big.log" | head -c -2 >"$T/crlf.log" # no final newline either
save c_ref "$L" shuffle --memory 1G --tmpdir "$TMPD" "$T/crlf.log"
expect_same "$T/c_ref" "$L" shuffle --memory 512K --tmpdir "$TMPD" "$T/crlf.log"
save c_all "$L" sample --rate 1 "$T/crlf.log"
expect_true "CRLF, no final newline: the records sample --rate 1 writes, permuted" \
    cmp -s <(sort "$T/c_all") <(sort "$T/c_ref")

# ---- split --shuffle: every split's shards in key order, through the sorter
split_cat() { # split_cat DIR SPLIT: the split's records, shard after shard
    local f
    for f in "$1/$2"/*.zst; do zstd -dcq "$f"; done
}
if command -v zstd >/dev/null; then
    for m in 1G 512K; do
        expect_rc 0 "$L" split -o "$T/ds_$m" --ratios train=0.7,test=0.3 --shuffle \
            --shard-records 4000 --memory $m --tmpdir "$TMPD" "$T/big.log"
    done
    for s in train test; do
        expect_true "split --shuffle: $s the same for --memory 1G and 512K" \
            cmp -s <(split_cat "$T/ds_1G" $s) <(split_cat "$T/ds_512K" $s)
    done
    # the split's records in the order of the shuffle: a subsequence of it
    split_cat "$T/ds_512K" train >"$T/train.all"
    expect_true "split --shuffle: train's records in the shuffle's order" \
        is_subsequence "$T/train.all" "$T/ref"
    tmp_empty "split --shuffle"
else
    note "no zstd: split --shuffle's shards not read back"
fi

# ---- usage
expect_rc 2 "$L" shuffle --rate 0.5 "$T/big.log"
expect_stderr_match "--rate is not an option of 'ladle shuffle'"
expect_rc 2 "$L" shuffle --memory 1K "$T/big.log"
expect_rc 0 "$L" shuffle --help
expect_rc 0 "$L" help shuffle

# ---- no file left: during the run, after SIGINT, after a failure
# a producer that stalls after 3 MB: ladle has spilled runs and waits
mkfifo "$T/fifo"
bg_start prod bash -c "exec 3>'$T/fifo'; cat '$T/big.log' >&3; exec sleep 30" # no EOF
bg_start lpid "$L" shuffle --memory 256K --tmpdir "$TMPD" "$T/fifo"
if wait_handlers "$lpid" 30; then
    sleep 1.5
    expect_eq "shuffle mid-run: no name in --tmpdir" "" "$(ls -A "$TMPD")"
    n=$(find "/proc/$lpid/fd" -lname "$TMPD/*(deleted)" 2>/dev/null | wc -l)
    expect_true "shuffle mid-run: the runs' file is open, unnamed (got $n)" test "$n" -ge 1
    signal_expect INT "$lpid" 130 "SIGINT while waiting with spilled runs"
    tmp_empty "SIGINT mid-run"
else
    fail "ladle shuffle on a FIFO never installed its signal handlers"
fi
kill "$prod" 2>/dev/null
wait "$prod" 2>/dev/null
# a record too long at the end, after the runs spilled: exit 3
cp "$T/big.log" "$T/broken.log"
awk 'BEGIN { for (k = 0; k < 9000; k++) printf "q"; print "" }' >>"$T/broken.log"
expect_rc 3 "$L" shuffle --max-record 4K --memory 256K --tmpdir "$TMPD" "$T/broken.log"
tmp_empty "an input error after spilling"
# a folder that is not there
expect_rc 4 "$L" shuffle --memory 256K --tmpdir "$T/nope" "$T/big.log"
expect_stderr_match "nope: cannot create a temporary file: .*--tmpdir picks another folder"

# ---- a full temporary disk: exit 4, one clear line (root: a 1 MiB tmpfs)
mkdir -p "$T/small"
if mount -t tmpfs -o size=1M tmpfs "$T/small" 2>/dev/null; then
    head -c 3000000 /dev/urandom | base64 -w 100 >"$T/rnd.log" # ~4 MB that zstd cannot shrink much
    expect_rc 4 "$L" shuffle --memory 1M --tmpdir "$T/small" "$T/rnd.log"
    expect_stderr_match "^ladle: $T/small: no space left on device \(writing a shuffle run; --tmpdir picks another folder\)$"
    expect_eq "a full temporary disk: nothing left there" "" "$(ls -A "$T/small")"
    umount "$T/small"
else
    note "cannot mount a tmpfs (not root?): the full-disk case is not tested"
fi

finish
