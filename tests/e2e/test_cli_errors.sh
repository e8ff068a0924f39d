#!/usr/bin/env bash
# Every bad input and usage error: one line `ladle: ...`, the documented exit
# code, no crash, no hang. Also pipes that close early and signals.
. "$(dirname "$0")/common.sh"
L=$LADLE
make_log "$T/a.log" 20000 3
zstd -q -3 "$T/a.log" -o "$T/a.zst"
gzip -c "$T/a.log" >"$T/a.gz"

# usage: exit 2
expect_rc 2 $L
expect_rc 2 $L frobnicate
expect_err "^ladle: unknown command 'frobnicate'"
for args in "" "--rate 0.1 -n 3" "--rate 2" "--rate abc" "--rate ' 0.5'" "-n -1" "-n x" \
    "--threads 0" "--chunk-size 12Q" "--bogus" "--start 3 -n 1" "--io nope" "--every 0" \
    "--strata level" "--cluster user" "--weight x" "--fractions A=1" "--snowball" \
    "--format xml --rate 1" "--missing maybe --rate 1"; do
    eval "expect_rc 2 $L sample $args $T/a.log"
    grep -q "^ladle: " "$T/err" && ok || bad "sample $args: message does not start with 'ladle: '"
done
expect_rc 0 $L --version
expect_rc 0 $L --help
expect_rc 0 $L sample --help
grep -q -- "--max-record" "$T/out" && ok || bad "sample --help lacks --max-record"

# input errors: exit 3, one line naming the file and where
expect_rc 3 $L sample -n 3 "$T/nosuch.log"
expect_err "^ladle: $T/nosuch.log: cannot open: No such file or directory$"
expect_rc 3 $L sample -n 3 "$T"
expect_err "is a directory"
if [ "$(id -u)" != 0 ]; then
    cp "$T/a.log" "$T/locked"; chmod 000 "$T/locked"
    expect_rc 3 $L sample -n 3 "$T/locked"
    expect_err "Permission denied"
fi
head -c 100000 "$T/a.zst" >"$T/cut.zst"
expect_rc 3 $L sample -n 3 "$T/cut.zst"
expect_err "^ladle: $T/cut.zst: truncated zstd stream \(at compressed byte [0-9]+\)$"
head -c 100000 "$T/a.gz" >"$T/cut.gz"
expect_rc 3 $L sample -n 3 "$T/cut.gz"
expect_err "^ladle: $T/cut.gz: truncated gzip stream \(at compressed byte [0-9]+\)$"
cp "$T/a.gz" "$T/bad.gz"
printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$T/bad.gz" bs=1 seek=5000 conv=notrunc 2>/dev/null
expect_rc 3 $L sample -n 3 "$T/bad.gz"
expect_err "^ladle: $T/bad.gz: corrupt gzip data: .* \(at compressed byte [0-9]+\)$"
zstd -q -3 --check "$T/a.log" -o "$T/chk.zst"
printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$T/chk.zst" bs=1 seek=5000 conv=notrunc 2>/dev/null
expect_rc 3 $L sample -n 3 "$T/chk.zst"
expect_err "^ladle: $T/chk.zst: corrupt zstd data: .*compressed byte [0-9]+\)$"
(cat "$T/a.gz"; head -c 512 /dev/zero) >"$T/padded.gz"
expect_rc 0 $L sample -n 3 "$T/padded.gz"
(cat "$T/padded.gz"; echo junk) >"$T/junk.gz"
expect_rc 3 $L sample -n 3 "$T/junk.gz"
# a frame that declares a 256 MiB window needs --long
head -c 300000 "$T/a.log" | zstd -q --long=28 -c >"$T/long.zst" 2>/dev/null
if zstd -lv "$T/long.zst" 2>/dev/null | grep -q "Window Size: *256"; then
    expect_rc 3 $L sample -n 3 "$T/long.zst"
    expect_err "\(use --long\)"
    expect_rc 0 $L sample -n 3 --long "$T/long.zst"
else
    echo "note: zstd here did not write a 256 MiB window; --long check skipped"
fi
printf 'ok\n%02000d\nok\n' 0 >"$T/wide"
expect_rc 3 $L sample --rate 1 --max-record 1K "$T/wide"
expect_err "^ladle: $T/wide: record longer than 1024 bytes \(at offset 3; see --max-record\)$"
expect_rc 0 $L sample --rate 1 --max-record 2000 "$T/wide"

# a reader that leaves: quiet, exit 0
$L sample --rate 1 "$T/a.log" 2>"$T/pipe.err" | head -1 >/dev/null
rc=${PIPESTATUS[0]}
expect_eq "ladle | head exits 0" 0 "$rc"
expect_eq "ladle | head says nothing" "" "$(cat "$T/pipe.err")"

# signals end a run stuck on a silent pipe
mkfifo "$T/fifo"
for sig in INT TERM; do
    sleep 20 >"$T/fifo" &
    spid=$!
    $L sample -n 3 <"$T/fifo" >/dev/null 2>"$T/sig.err" &
    lpid=$!
    sleep 1
    kill -"$sig" "$lpid"
    for _ in $(seq 50); do kill -0 "$lpid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$lpid" 2>/dev/null; then
        bad "SIG$sig: ladle still running 5 s later"
        kill -9 "$lpid"
    fi
    wait "$lpid"
    rc=$?
    want=$([ $sig = INT ] && echo 130 || echo 143)
    expect_eq "SIG$sig exit status" "$want" "$rc"
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
done

# --head stops reading early
make_log "$T/big.log" 200000 4
out=$($L sample -v --head 5 --chunk-size 64K "$T/big.log" 2>"$T/v.err" | wc -l)
expect_eq "--head 5 prints 5" 5 "$out"
read_mb=$(sed -n 's/.*(\([0-9.]*\) MB, .*/\1/p' "$T/v.err")
awk -v m="$read_mb" 'BEGIN { exit !(m < 5) }' && ok || bad "--head read ${read_mb} MB of a large file"
done_testing
