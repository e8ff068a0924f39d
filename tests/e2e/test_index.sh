#!/usr/bin/env bash
# `ladle index` and --index (gzip indexes, issue 13): the sidecar
# FILE.gz.ladle-index is written for gzip files (one member or several),
# refused for plain and zstd files and for damaged gzip; `sample --index`
# writes the same bytes as `ladle index` while its output stays the data,
# only when the file was read whole without error and has no valid index
# yet (a stale one is replaced); SIGINT/SIGTERM leave no index and no
# temporary file behind.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
command -v gzip >/dev/null || skip "no gzip program"

make_log "$T/a.log" 60000 3
gzip -1 -c -n "$T/a.log" >"$T/a.gz"
head -n 30000 "$T/a.log" | gzip -9 -c -n >"$T/m.gz"
tail -n +30001 "$T/a.log" | gzip -1 -c -n >>"$T/m.gz" # two members: the same data
side() { echo "$1.ladle-index"; }
leftovers() { find "$T" -name '*.ladle-index.*' | head -3; }

# Written, and quiet without -v.
expect_rc 0 "$L" index --span 64K "$T/a.gz" "$T/m.gz"
expect_stderr_empty
expect_true "a.gz has its index" test -s "$(side "$T/a.gz")"
expect_true "m.gz has its index" test -s "$(side "$T/m.gz")"
expect_rc 0 "$L" index -v "$T/a.gz"
expect_stderr_match "^ladle: .*/a\.gz\.ladle-index: [0-9]+ checkpoints, 1 members, [0-9]+ bytes of data$"

# Refused: plain, zstd, a bad span, no file, a missing file, damaged gzip.
expect_rc 3 "$L" index "$T/a.log"
expect_stderr_match "^ladle: .*/a\.log: not a gzip file \(a plain file needs no index\)$"
if command -v zstd >/dev/null; then
    zstd -q -c "$T/a.log" >"$T/a.zst"
    expect_rc 3 "$L" index "$T/a.zst"
    expect_stderr_match "a\.zst: a zstd file needs no index \(its frames are the index\)$"
fi
expect_rc 2 "$L" index --span 1K "$T/a.gz"
expect_stderr_match "^ladle: --span: '1K' is not a size of 64K or more"
expect_rc 2 "$L" index
expect_rc 3 "$L" index "$T/none.gz"
expect_stderr_match "none\.gz: cannot open: No such file or directory$"
head -c 20000 "$T/a.gz" >"$T/cut.gz"
expect_rc 3 "$L" index "$T/cut.gz"
expect_stderr_match "cut\.gz: truncated gzip stream: .* \(at compressed byte [0-9]+\)$"
expect_eq "no index of a plain, zstd or damaged file" "" \
    "$(ls "$T"/a.log.ladle-index "$T"/a.zst.ladle-index "$T"/cut.gz.ladle-index 2>/dev/null)"
# One file refused does not stop the others; the exit status says it.
rm -f "$(side "$T/a.gz")"
expect_rc 3 "$L" index "$T/a.log" "$T/a.gz"
expect_true "the gzip file after a refused one is indexed" test -s "$(side "$T/a.gz")"

# sample --index: the data unchanged, the index ladle index writes.
for f in a m; do
    cp "$T/$f.gz" "$T/$f-copy.gz"
    expect_rc 0 "$L" index "$T/$f-copy.gz"
    rm -f "$(side "$T/$f.gz")"
    expect_same "$T/a.log" "$L" sample --index --rate 1 -v "$T/$f.gz"
    grep -q "$f\.gz: index written ([0-9]* checkpoints)" "$T/err" && pass ||
        fail "sample --index -v says the index was written" "$(cat "$T/err")"
    expect_true "$f.gz: sample --index writes what ladle index writes" \
        cmp -s "$(side "$T/$f.gz")" "$(side "$T/$f-copy.gz")"
done
# A valid index is kept as it is; a stale one is replaced.
ino=$(stat -c %i "$(side "$T/a.gz")")
expect_same "$T/a.log" "$L" sample --index --rate 1 "$T/a.gz"
expect_eq "a valid index is left alone" "$ino" "$(stat -c %i "$(side "$T/a.gz")")"
cp "$T/m.gz" "$T/stale.gz"
cp "$(side "$T/a.gz")" "$(side "$T/stale.gz")"
expect_same "$T/a.log" "$L" sample --index --rate 1 "$T/stale.gz"
expect_true "a stale index is replaced" cmp -s "$(side "$T/stale.gz")" "$(side "$T/m.gz")"
# Not read whole (--head stops early), or damaged: no index.
cp "$T/a.gz" "$T/head.gz"
expect_rc 0 "$L" sample --index --head 5 "$T/head.gz"
expect_eq "--head reads part of the file: no index" "" "$(ls "$(side "$T/head.gz")" 2>/dev/null)"
expect_rc 3 "$L" sample --index --rate 1 "$T/cut.gz"
expect_eq "a damaged file: no index" "" "$(ls "$(side "$T/cut.gz")" 2>/dev/null)"
expect_rc 2 "$L" sample --index --part 1/2 --rate 1 "$T/a.gz"
expect_stderr_match "--index reads each gzip file whole: not with --part"
expect_rc 2 "$L" sample --index --state "$T/st" -n 5 "$T/a.gz"
expect_stderr_match "--index reads each gzip file whole: not with --state"

# SIGINT/SIGTERM while an index is built: 130/143, nothing left behind.
# 4 GiB of zeros in 64 members take seconds to decode.
head -c 64M /dev/zero | gzip -1 -c -n >"$T/z1.gz"
for _ in $(seq 64); do cat "$T/z1.gz"; done >"$T/big.gz"
for sig in INT TERM; do
    want=$([ "$sig" = INT ] && echo 130 || echo 143)
    "$L" index "$T/big.gz" 2>"$T/sig.err" &
    pid=$!
    E2E_PIDS+=("$pid")
    if wait_handlers "$pid" 30; then
        sleep 0.3
        kill -"$sig" "$pid"
        wait "$pid"
        rc=$?
        expect_eq "SIG$sig: exit status" "$want" "$rc"
        expect_eq "SIG$sig: says so" \
            "ladle: index: interrupted; no index written for $T/big.gz" "$(cat "$T/sig.err")"
        expect_eq "SIG$sig: no index" "" "$(ls "$(side "$T/big.gz")" 2>/dev/null)"
        expect_eq "SIG$sig: no temporary file" "" "$(leftovers)"
    else
        fail "SIG$sig: ladle index never installed its handlers (or ended at once)"
    fi
done
finish
