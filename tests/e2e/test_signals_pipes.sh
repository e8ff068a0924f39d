#!/usr/bin/env bash
# Pipes and signals: a reader that leaves early is not an error (exit 0,
# silent); empty or short stdin is fine; SIGINT/SIGTERM end a run within
# seconds with 130/143 wherever it is blocked (reading a silent pipe, inside
# a compressed stream, writing to a stalled reader); --head stops reading.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
have_zstd=0
command -v zstd >/dev/null && have_zstd=1
[ -r /proc/self/status ] || skip "no /proc: cannot tell when ladle's signal handlers are installed"

make_log "$T/big.log" 16000 51     # ~3.4 MB
gzip -c "$T/big.log" >"$T/big.gz"
[ "$have_zstd" = 1 ] && zstd -q -c "$T/big.log" >"$T/big.zst"

# ---- the reader leaves: exit 0, nothing on stderr
for d in "--rate 1" "--rate 1 -t 1" "--rate 1 --chunk-size 4K" "-n 5000" "-n 5000 --shuffle" \
    "--head 100000" "--every 2"; do
    for f in big.log big.gz; do
        # shellcheck disable=SC2086
        timeout -k 5 60 "$L" sample $d "$T/$f" 2>"$T/pipe.err" | head -1 >"$T/head1"
        rc=${PIPESTATUS[0]}
        expect_eq "ladle sample $d $f | head -1: ladle's exit status" 0 "$rc"
        expect_eq "ladle sample $d $f | head -1: stderr" "" "$(head -c 300 "$T/pipe.err")"
        expect_eq "ladle sample $d $f | head -1: one line" 1 "$(lines_of "$T/head1")"
    done
done
# reader gone before anything was written
timeout -k 5 60 "$L" sample --rate 1 "$T/big.log" 2>"$T/pipe.err" | true
rc=${PIPESTATUS[0]}
expect_eq "ladle sample --rate 1 big.log | true: exit status" 0 "$rc"
expect_eq "ladle sample --rate 1 big.log | true: stderr" "" "$(head -c 300 "$T/pipe.err")"
# -v says the output closed early, still exit 0
timeout -k 5 60 "$L" sample -v --rate 1 "$T/big.log" 2>"$T/pipe.err" | head -c 10 >/dev/null
rc=${PIPESTATUS[0]}
expect_eq "ladle sample -v --rate 1 | head -c 10: exit status" 0 "$rc"
expect_true "ladle sample -v --rate 1 | head -c 10: the summary says the output closed early" \
    grep -q '(output closed early)$' "$T/pipe.err"
# on both sides of a pipe: stdin from a producer, stdout to a quitter
timeout -k 5 60 bash -c "cat '$T/big.log' | '$L' sample --rate 0.5 2>'$T/pipe.err' | head -2 >/dev/null; exit \${PIPESTATUS[1]}"
expect_eq "cat big | ladle --rate 0.5 | head -2: ladle's exit status" 0 "$?"
expect_eq "cat big | ladle --rate 0.5 | head -2: stderr" "" "$(head -c 300 "$T/pipe.err")"

# ---- empty and short stdin
expect_rc 0 "$L" sample -n 3 </dev/null
expect_stdout_empty
expect_stderr_empty
expect_rc 0 "$L" sample --rate 1 - </dev/null
expect_stdout_empty
run_sh "true | '$L' sample --head 3"
expect_eq "true | ladle sample --head 3: exit" 0 "$RC"
expect_stdout_empty
# the producer stops mid-record: the partial last record is completed
head -c 100001 "$T/big.log" >"$T/short"
printf '%s\n' "$(cat "$T/short")" >"$T/short.exp"
expect_same_sh "$T/short.exp" "head -c 100001 '$T/big.log' | '$L' sample --rate 1"
expect_same_sh "$T/short.exp" "head -c 100001 '$T/big.log' | '$L' sample -n 100000 -t 3 --chunk-size 1K"
# a slow producer: data in small bursts with pauses
printf 'a\nb\n' >"$T/ab.exp"
expect_same_sh "$T/ab.exp" "{ printf a; sleep 0.3; printf '\nb'; sleep 0.3; printf '\n'; } | '$L' sample --rate 1"
# --head on an endless stream ends
run_sh "yes 'a line' | '$L' sample --head 5; exit \${PIPESTATUS[1]}"
expect_eq "yes | ladle sample --head 5: exit" 0 "$RC"
expect_eq "yes | ladle sample --head 5: 5 lines" 5 "$(lines_of "$T/out")"

# ---- signals
# interrupt SIG WHAT PRODUCER_SCRIPT LADLE_ARGS...: stdin of ladle is the
# output of PRODUCER_SCRIPT (which must keep the pipe open: it ends with
# `exec sleep`); once ladle's handlers are installed and it has had time to
# block, send SIG; ladle must exit 130 (INT) or 143 (TERM) within 5 s.
interrupt() {
    local sig=$1 what=$2 producer=$3
    shift 3
    local want spid lpid rc
    want=$([ "$sig" = INT ] && echo 130 || echo 143)
    exec 3< <(exec bash -c "$producer")
    spid=$!
    E2E_PIDS+=("$spid")
    "$L" sample "$@" <&3 >"$T/sig.out" 2>"$T/sig.err" &
    lpid=$!
    E2E_PIDS+=("$lpid")
    exec 3<&-
    if ! wait_handlers "$lpid" 30; then
        fail "SIG$sig, $what: ladle never installed its SIGINT/SIGTERM handlers (or exited early)"
        kill -9 "$lpid" "$spid" 2>/dev/null
        wait "$lpid" 2>/dev/null
        return
    fi
    sleep 0.7
    signal_expect "$sig" "$lpid" "$want" "$what (ladle sample $* <pipe)" "$T/sig.err"
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
}
zprod="cat '$T/big.gz'"
[ "$have_zstd" = 1 ] && zprod="cat '$T/big.zst'"
for sig in INT TERM; do
    interrupt "$sig" "silent pipe" "exec sleep 60" -n 3
    interrupt "$sig" "silent pipe, --head" "exec sleep 60" --head 3
    interrupt "$sig" "silent pipe, one thread" "exec sleep 60" --rate 0.5 -t 1
    interrupt "$sig" "a partial plain record, then silence" \
        "head -c 150001 '$T/big.log'; exec sleep 60" -n 3
    interrupt "$sig" "inside a gzip stream" \
        "head -c 150000 '$T/big.gz'; exec sleep 60" --rate 0.1
    interrupt "$sig" "inside a compressed stream, --shuffle" \
        "$zprod | head -c 150000; exec sleep 60" -n 10 --shuffle
done
# a FIFO that nobody opens for writing yet: blocked in open(2)
mkfifo "$T/fifo"
for sig in INT TERM; do
    want=$([ "$sig" = INT ] && echo 130 || echo 143)
    "$L" sample -n 3 "$T/fifo" >/dev/null 2>"$T/sig.err" &
    lpid=$!
    E2E_PIDS+=("$lpid")
    if wait_handlers "$lpid" 30; then
        sleep 0.5
        kill -"$sig" "$lpid"
        if wait_gone "$lpid" 5; then
            wait "$lpid"
            expect_eq "SIG$sig while opening a FIFO with no writer: exit status" "$want" "$?"
        else
            fail "SIG$sig while opening a FIFO with no writer (ladle sample -n 3 FIFO): still running 5 s later (hang)"
            kill -9 "$lpid" 2>/dev/null
            wait "$lpid" 2>/dev/null
        fi
    else
        # the handlers come after the inputs are opened: send the signal anyway
        kill -"$sig" "$lpid"
        if wait_gone "$lpid" 5; then wait "$lpid"; rc=$?; else kill -9 "$lpid"; wait "$lpid"; rc=hang; fi
        note "SIG$sig while opening a FIFO: handlers not yet installed; exit status $rc"
        [ "$rc" = hang ] && fail "SIG$sig while opening a FIFO with no writer: hang"
    fi
done

# writing to a reader that does not read: ladle is blocked in write(2)
for case in "INT:--rate 1" "INT:-n 16000" "INT:--head 100000 -t 1" "TERM:--rate 1 -t 3"; do
    sig=${case%%:*}
    d=${case#*:}
    {
        want=$([ "$sig" = INT ] && echo 130 || echo 143)
        exec 4> >(exec sleep 60)
        spid=$!
        E2E_PIDS+=("$spid")
        # shellcheck disable=SC2086
        "$L" sample $d "$T/big.log" >&4 2>"$T/sig.err" &
        lpid=$!
        E2E_PIDS+=("$lpid")
        exec 4>&-
        if wait_handlers "$lpid" 30; then
            sleep 1 # time to fill the pipe and block
            kill -"$sig" "$lpid"
            if wait_gone "$lpid" 5; then
                wait "$lpid"
                expect_eq "SIG$sig while stdout is blocked (ladle sample $d big.log >stalled-pipe): exit status" \
                    "$want" "$?"
            else
                fail "SIG$sig while stdout is blocked (ladle sample $d big.log >stalled-pipe): still running 5 s after the signal (hang)" \
                    "ladle retries write(2) after EINTR without looking at the cancel flag?"
                kill -9 "$lpid" 2>/dev/null
                wait "$lpid" 2>/dev/null
            fi
        else
            fail "SIG$sig, stalled stdout: ladle never installed its handlers"
            kill -9 "$lpid" 2>/dev/null
            wait "$lpid" 2>/dev/null
        fi
        kill "$spid" 2>/dev/null
        wait "$spid" 2>/dev/null
    }
done

# ---- --head on a large input answers at once and reads little of it
run "$L" sample -v --head 5 "$T/big.log"
expect_eq "--head 5 big.log: exit" 0 "$RC"
expect_eq "--head 5 big.log: the first 5 lines" "$(head -n 5 "$T/big.log")" "$(cat "$T/out")"
expect_stderr_match '^ladle: sample: .*; 5 written$'
# A 256 MiB stream that compresses to a few KB: --head 5 must stop long
# before its end (the summary's first figure is the bytes decompressed). On a
# small plain file the pipeline's read-ahead may legitimately read it all, so
# no such check there.
if [ "$have_zstd" = 1 ]; then
    yes 'a log line that repeats itself' | head -c 256M | zstd -q -c >"$T/huge.zst"
    huge="$T/huge.zst"
else
    yes 'a log line that repeats itself' | head -c 256M | gzip -c >"$T/huge.gz"
    huge="$T/huge.gz"
fi
for o in "" "-t 1" "--chunk-size 64K -t 3"; do
    # shellcheck disable=SC2086
    run "$L" sample -v --head 5 $o "$huge"
    expect_eq "$LAST_CMD: exit" 0 "$RC"
    expect_eq "$LAST_CMD: 5 lines" 5 "$(lines_of "$T/out")"
    mb=$(sed -n 's/.*records read (\([0-9.]*\) MB, .*/\1/p' "$T/err")
    if [ -n "$mb" ] && awk -v m="$mb" 'BEGIN { exit !(m < 64) }'; then
        pass
    else
        fail "$LAST_CMD: decompressed ${mb:-?} MB of 268 MB to find 5 records" "stderr: $(cat "$T/err")"
    fi
done
run "$L" sample --head 5 "$T/big.gz"
expect_eq "--head 5 big.gz: the first 5 lines" "$(head -n 5 "$T/big.log")" "$(cat "$T/out")"

finish
