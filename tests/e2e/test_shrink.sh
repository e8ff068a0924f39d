#!/usr/bin/env bash
# A plain file that shrinks while ladle reads it (truncated, rewritten in
# place) is an input error: exit 3 and "ladle: FILE: file shrank while being
# read (from N to M bytes)", with both read engines and with the workers'
# mapped segments (--io auto, two threads or more) -- never rc 0 with a cut
# last record, never killed by SIGBUS.
#
# Deterministic, not a race: ladle's output goes into a pipe whose reader
# takes 1 MiB and then stops, so the pipeline stalls on backpressure (at
# most its 32 MiB output budget plus a few chunks read ahead) far before the
# end of a 96 MiB file; only then is the file truncated to 2 MiB, and the
# reader drains the rest. The next read past 2 MiB finds the bytes gone.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
cd "$T" || exit 1

yes 'a log line that is long enough, with text 0123456789 abcdefghijklmnop' |
    head -c $((96 << 20)) >big.src

for io in auto pread uring; do
    cp big.src big.log
    LAST_CMD="ladle sample --rate 1 --io $io --threads 2 --chunk-size 64K big.log | { head -c 1M; truncate -s 2M big.log; cat; }"
    timeout -k 5 "$E2E_TIMEOUT" "$L" sample --rate 1 --io "$io" --threads 2 --chunk-size 64K big.log \
        2>"$T/err" </dev/null |
        { head -c 1048576 >/dev/null; truncate -s 2M big.log; cat >/dev/null; }
    RC=${PIPESTATUS[0]}
    if [ "$io" = uring ] && [ "$RC" = 3 ] && grep -q 'io_uring unavailable' "$T/err"; then
        note "io_uring refused here: the io_uring case is skipped"
        continue
    fi
    expect_eq "$LAST_CMD: exit" 3 "$RC"
    expect_stderr_match '^ladle: big.log: file shrank while being read \(from 100663296 to 2097152 bytes\)$'
done

# The same under a design whose chunks the output thread walks (--every):
# the workers' views of the cut file are still held when it is found.
cp big.src big.log
LAST_CMD="ladle sample --every 1 --threads 2 --chunk-size 64K big.log | { head -c 1M; truncate -s 2M big.log; cat; }"
timeout -k 5 "$E2E_TIMEOUT" "$L" sample --every 1 --threads 2 --chunk-size 64K big.log 2>"$T/err" </dev/null |
    { head -c 1048576 >/dev/null; truncate -s 2M big.log; cat >/dev/null; }
expect_eq "$LAST_CMD: exit" 3 "${PIPESTATUS[0]}"
expect_stderr_match '^ladle: big.log: file shrank while being read \(from 100663296 to 2097152 bytes\)$'

# A file that only grows is read as it was when opened (a snapshot), rc 0.
head -c 4096 big.src >grow.log
LAST_CMD="ladle sample --rate 1 grow.log | { head -c 100; append; cat; }"
"$L" sample --rate 1 --chunk-size 64K grow.log 2>"$T/err" </dev/null |
    { head -c 100 >/dev/null; echo appended >>grow.log; cat >/dev/null; }
expect_eq "$LAST_CMD: exit" 0 "${PIPESTATUS[0]}"

cd / || exit 1
finish
