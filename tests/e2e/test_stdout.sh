#!/usr/bin/env bash
# Standard output that fails: every command (sample, stats, verify, the help
# and version texts) checks what it prints and exits 4 with one line when
# it is lost (a full disk, a closed stdout), but 0 when the reader just went
# away (EPIPE, `| head`). A closed stdout never becomes a file ladle opens
# (stats once copied its report into itself forever); a signal during the
# report writing ends the run at once with 130/143.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
# Memory is bounded (ulimit -v) so that a regression fails instead of filling
# the machine, except under a sanitizer, whose shadow memory needs the room.
VMEM=4000000
if grep -qa -e __asan_init -e __tsan_init "$L"; then VMEM=unlimited; fi
# Every run here is bounded in time, memory and file size: a regression
# (a copy loop chasing its own output) must fail, not fill the machine.
bounded() { (ulimit -v "$VMEM"; ulimit -f 40000; exec timeout -k 2 20 "$@"); }

make_log "$T/a.log" 3000 5
seq 1 30000 >"$T/ids.tsv"
mkdir "$T/ds"
expect_rc 0 "$L" split -o "$T/ds/d" --ratios a=0.5,b=0.5 --rate 1 "$T/a.log"

cmds=(
    "sample --rate 1 $T/a.log"
    "sample -n 5 $T/a.log"
    "stats $T/a.log"
    "stats --format tsv --field 1 --top 100000 $T/ids.tsv"
    "verify $T/ds/d"
    "--help" "help sample" "help stats" "help split" "help verify" "--version"
    "sample --help" "stats --help" "split --help" "verify --help"
)
for c in "${cmds[@]}"; do
    # shellcheck disable=SC2086
    bounded "$L" $c >/dev/full 2>"$T/err"
    rc=$?
    LAST_CMD="ladle $c >/dev/full"
    expect_eq "$LAST_CMD: exit status" 4 "$rc"
    expect_stderr_match '^ladle: <stdout>: write failed: No space left on device$'
    # shellcheck disable=SC2086
    bounded "$L" $c >&- 2>"$T/err"
    rc=$?
    LAST_CMD="ladle $c >&-"
    expect_eq "$LAST_CMD: exit status" 4 "$rc"
    expect_stderr_match '^ladle: <stdout>: write failed: Bad file descriptor$'
    # the reader goes away: not an error
    # shellcheck disable=SC2086
    bounded "$L" $c 2>"$T/err" | head -c 1 >/dev/null
    rc=${PIPESTATUS[0]}
    LAST_CMD="ladle $c | head -c 1"
    expect_eq "$LAST_CMD: exit status" 0 "$rc"
    expect_stderr_empty
done

# verify -q prints nothing: a closed stdout is no error
run "$L" verify -q "$T/ds/d"
expect_eq "verify -q: exit" 0 "$RC"
bounded "$L" verify -q "$T/ds/d" >&- 2>"$T/err"
expect_eq "verify -q DIR >&-: exit status" 0 "$?"

# A command that will print fails at once on a closed stdout, before its
# work (here, before opening a FIFO nobody writes to).
mkfifo "$T/fifo"
for c in "stats" "sample -n 3"; do
    # shellcheck disable=SC2086
    (ulimit -v "$VMEM"; ulimit -f 40000; exec timeout -k 2 5 "$L" $c "$T/fifo" >&- 2>"$T/err")
    rc=$?
    LAST_CMD="ladle $c FIFO >&-"
    expect_eq "$LAST_CMD: exit status (fails before reading)" 4 "$rc"
    expect_stderr_match '^ladle: <stdout>: write failed: Bad file descriptor$'
done

# The whole report, and only it: stats' report of a known file equals the
# same report printed to a file (the copy never reads its own output).
save stats.ref "$L" stats --format tsv --field 1 --top 100000 "$T/ids.tsv"
# 3 totals, 4 field lines, 30000 values, 10 lines of numeric summary (ids are numbers)
expect_eq "stats --top 100000: header + 30000 values + numeric" 30017 "$(lines_of "$T/stats.ref")"

# A closed stdin is an input error; a closed stderr changes nothing else.
bounded "$L" sample --rate 1 <&- >"$T/out" 2>"$T/err"
rc=$?
LAST_CMD="ladle sample --rate 1 <&-"
expect_eq "$LAST_CMD: exit status" 3 "$rc"
expect_stderr_match '^ladle: '
bounded "$L" stats --format tsv --field 1 --top 100000 "$T/ids.tsv" 2>&- >"$T/out"
expect_eq "stats ... 2>&-: exit status" 0 "$?"
expect_eq "stats ... 2>&-: the report" "$(sed 1,3d "$T/stats.ref")" "$(sed 1,3d "$T/out")"
rm -rf "$T/ds/e"
bounded "$L" split -v -o "$T/ds/e" --ratios a=0.5,b=0.5 --rate 1 "$T/a.log" 2>&- >"$T/out"
expect_eq "split -v ... 2>&-: exit status" 0 "$?"
run "$L" verify "$T/ds/e"
expect_eq "split -v ... 2>&-: the dataset verifies" 0 "$RC"

# ---- a signal while the report is written to a reader that does not read:
# the run is over, nothing to clean up: 130/143 within seconds.
for sig in INT TERM; do
    want=$([ "$sig" = INT ] && echo 130 || echo 143)
    exec 4> >(exec sleep 60)
    spid=$!
    E2E_PIDS+=("$spid")
    (ulimit -v "$VMEM"; exec "$L" stats --format tsv --field 1 --top 100000 "$T/ids.tsv" >&4 2>"$T/sig.err") &
    lpid=$!
    E2E_PIDS+=("$lpid")
    exec 4>&-
    sleep 2 # the pass takes well under a second; the 930 KB report fills the pipe
    if ! kill -0 "$lpid" 2>/dev/null; then
        wait "$lpid"
        fail "SIG$sig, stats report to a stalled reader: ladle ended (exit $?) before the signal"
    else
        signal_expect "$sig" "$lpid" "$want" "stats writing its report to a stalled reader" "$T/sig.err"
    fi
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
done

finish
