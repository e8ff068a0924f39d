#!/usr/bin/env bash
# SIGINT/SIGTERM in every phase of a run, not only the pipeline's passes:
# loading --seeds (blocked opening a FIFO, or reading a silent one),
# spooling stdin for a design that reads it twice (silent or trickling),
# and the final compression of `ladle split`'s shards after the input has
# ended. Each must end within 5 s with 130 (INT) or 143 (TERM), leave no
# temporary file (TMPDIR) or folder (.ladle-tmp-*), and, under --force,
# leave the old dataset whole. The report-writing phase is in test_stdout.sh.
# Also: the --seeds file is bounded (64 MiB, 1,000,000 keys), so /dev/zero
# is an error at once instead of memory without end.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
# Memory is bounded (ulimit -v) so that a regression fails instead of filling
# the machine, except under a sanitizer, whose shadow memory needs the room.
VMEM=4000000
VMEM_SMALL=1000000
if grep -qa -e __asan_init -e __tsan_init "$L"; then VMEM=unlimited VMEM_SMALL=unlimited; fi
[ -r /proc/self/status ] || skip "no /proc: cannot tell when ladle's signal handlers are installed"
mkdir "$T/tmp" "$T/ds"

make_log "$T/a.log" 4000 9              # JSON, with a "level" field
printf 'a\tb\nb\tc\nc\td\n' >"$T/edges.tsv"
printf 'a\n' >"$T/seeds.txt"

# no_leftovers WHAT: TMPDIR is empty and no .ladle-tmp-* anywhere in $T/ds.
no_leftovers() {
    local left
    left=$(ls -A "$T/tmp")
    expect_eq "$1: nothing left in TMPDIR" "" "$left"
    left=$(find "$T/ds" -name '.ladle-tmp*' | head -3)
    expect_eq "$1: no .ladle-tmp-* left" "" "$left"
    rm -rf "${T:?}/tmp/"* 2>/dev/null
}

# interrupt SIG WHAT DELAY PRODUCER ARGS...: ladle ARGS, its stdin the
# output of PRODUCER (bash); once ladle's handlers are installed, and
# $T/sent exists if READY_FILE=1, wait DELAY s and send SIG; ladle must end
# within 5 s with 130/143. Memory bounded: a regression must not fill the
# machine.
interrupt() {
    local sig=$1 what=$2 delay=$3 producer=$4
    shift 4
    local want spid lpid rc i
    want=$([ "$sig" = INT ] && echo 130 || echo 143)
    rm -f "$T/sent"
    exec 3< <(exec bash -c "$producer")
    spid=$!
    E2E_PIDS+=("$spid")
    (ulimit -v "$VMEM"; TMPDIR="$T/tmp" exec "$L" "$@") <&3 >"$T/sig.out" 2>"$T/sig.err" &
    lpid=$!
    E2E_PIDS+=("$lpid")
    exec 3<&-
    if ! wait_handlers "$lpid" 30; then
        fail "SIG$sig, $what: ladle never installed its SIGINT/SIGTERM handlers (or exited early)" \
            "stderr: $(head -c 300 "$T/sig.err")"
        kill -9 "$lpid" "$spid" 2>/dev/null
        wait "$lpid" 2>/dev/null
        return
    fi
    if [ "${READY_FILE:-0}" = 1 ]; then
        for ((i = 0; i < 600; i++)); do
            [ -e "$T/sent" ] && break
            sleep 0.05
        done
    fi
    sleep "$delay"
    if ! kill -0 "$lpid" 2>/dev/null; then
        wait "$lpid"
        fail "SIG$sig, $what: ladle ended (exit $?) before the signal (the test did not hold it)" \
            "stderr: $(head -c 300 "$T/sig.err")"
    else
        signal_expect "$sig" "$lpid" "$want" "$what (ladle $*)" "$T/sig.err"
    fi
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
}

snow=(sample --snowball --link 1:2 --format tsv "$T/edges.tsv")
for sig in INT TERM; do
    # ---- loading --seeds
    rm -f "$T/seeds.fifo"
    mkfifo "$T/seeds.fifo"
    interrupt "$sig" "--seeds FIFO without a writer (blocked in open)" 0.5 "exec sleep 60" \
        "${snow[@]}" --seeds "$T/seeds.fifo"
    # a writer that sends one key and then nothing
    exec 5<> "$T/seeds.fifo"
    printf 'a\n' >&5
    interrupt "$sig" "--seeds FIFO that goes silent (blocked in read)" 0.5 "exec sleep 60" \
        "${snow[@]}" --seeds "$T/seeds.fifo"
    exec 5>&-
    no_leftovers "SIG$sig while loading --seeds"

    # ---- spooling stdin for two-pass designs
    interrupt "$sig" "spooling a silent stdin (--strata -n)" 0.7 \
        "head -c 100000 '$T/a.log'; exec sleep 60" \
        sample --strata level -n 10
    interrupt "$sig" "spooling a trickling stdin (--cluster --clusters)" 0.7 \
        "while :; do cat '$T/a.log'; sleep 0.01; done" \
        sample --cluster user --clusters 5
    interrupt "$sig" "spooling a trickling stdin (--snowball)" 0.7 \
        "while :; do cat '$T/edges.tsv'; sleep 0.001; done" \
        sample --snowball --seeds "$T/seeds.txt" --link 1:2 --format tsv
    no_leftovers "SIG$sig while spooling stdin"
done

# ---- the final compression of `ladle split`: the input (a pipe) has ended,
# the queued frames are being compressed at level 19.
if [ -n "${LADLE_GEN:-}" ] && [ -x "$LADLE_GEN" ]; then
    "$LADLE_GEN" --records 50000 --seed 4 >"$T/mid.log"
else
    make_log "$T/mid.log" 50000 4
fi
expect_rc 0 "$L" split -o "$T/ds/old" --ratios a=0.5,b=0.5 --rate 0.01 "$T/a.log"
cp "$T/ds/old/manifest.json" "$T/old.manifest"
for sig in INT TERM; do
    READY_FILE=1 interrupt "$sig" "split's final compression (input ended)" 0.3 \
        "cat '$T/mid.log'; touch '$T/sent'" \
        split -o "$T/ds/new" --ratios a=0.9,b=0.1 --level 19 -t 2
    expect_true "SIG$sig in split's final compression: no manifest (nothing committed)" \
        test ! -e "$T/ds/new/manifest.json"
    no_leftovers "SIG$sig in split's final compression"
    rm -rf "$T/ds/new"
    READY_FILE=1 interrupt "$sig" "split --force's final compression (input ended)" 0.3 \
        "cat '$T/mid.log'; touch '$T/sent'" \
        split -o "$T/ds/old" --force --ratios a=0.9,b=0.1 --level 19 -t 2
    no_leftovers "SIG$sig in split --force's final compression"
    expect_rc 0 "$L" verify -q "$T/ds/old"
    expect_true "SIG$sig in split --force's final compression: the old manifest stays" \
        cmp -s "$T/old.manifest" "$T/ds/old/manifest.json"
done

# ---- the --seeds file is bounded
for f in /dev/zero /dev/urandom; do
    LAST_CMD="ladle sample --snowball --seeds $f"
    (ulimit -v "$VMEM_SMALL"; exec timeout -k 2 20 "$L" "${snow[@]}" --seeds "$f") >"$T/out" 2>"$T/err"
    expect_eq "$LAST_CMD: exit status" 3 "$?"
    expect_stderr_match "^ladle: $f: seed file larger than 64 MiB \\(the --seeds limit\\)$"
done
seq 1 1000001 >"$T/many.txt"
run "$L" "${snow[@]}" --seeds "$T/many.txt"
expect_eq "--seeds with 1,000,001 keys: exit status" 3 "$RC"
expect_stderr_match '^ladle: .*many.txt: more than 1000000 seed keys \(the --seeds limit; line 1000001\)$'
# at the limits: accepted (1,000,000 keys, repeated keys count once)
{ seq 1 1000000; seq 1 1000; } >"$T/many.txt"
run "$L" "${snow[@]}" --seeds "$T/many.txt"
expect_eq "--seeds with 1,000,000 distinct keys: exit status" 0 "$RC"
expect_eq "--seeds with 1,000,000 distinct keys: no edge starts at one" "" "$(cat "$T/out")"
rm -f "$T/many.txt"

finish
