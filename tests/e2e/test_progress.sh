#!/usr/bin/env bash
# Progress (issue 9, item 4): a redrawn line on stderr with the pass, bytes
# and percent of the inputs, records, rates, kept and ETA; --progress forces
# it (here into a file), --no-progress and a stderr that is no terminal
# silence it; it never changes stdout; spooling and a dataset's commit say
# what they do; an interrupt says what was read and what was left.
. "$(dirname "$0")/lib.sh"
L=$LADLE
make_log "$T/a.log" 20000 3
make_log "$T/b.log" 10000 4
export COLUMNS=200 # the width when stderr is no terminal (the line is cut to it)
esc=$'\033'
clean() { tr '\r' '\n' <"$1" | sed "s/${esc}\\[K//g" | grep -v '^$'; } # the lines as seen

# ---- the line: every field, redrawn with \r, erased with \033[K, cleared at the end
expect_rc 0 "$L" sample --progress --rate 0.05 "$T/a.log" "$T/b.log"
last=$(tr '\r' '\n' <"$T/err" | grep 'pass ' | tail -1)
line_re="^pass 1/1  [0-9.]+/[0-9.]+ [KMG]?B 100%  30(\\.0)?k rec  [0-9.]+ [KMG]?B/s  [0-9.]+[kMG]? rec/s  kept [0-9.]+[kMG]?  ETA 0:00${esc}\\[K\$"
if [[ $last =~ $line_re ]]; then pass; else
    fail "$LAST_CMD: the last progress line" "got: $(printf '%s' "$last" | cat -v)"
fi
expect_eq "$LAST_CMD: stderr starts with \\r and ends with the line cleared (\\r\\033[K)" \
    "0d 1b 5b 4b" "$(tail -c 4 "$T/err" | od -An -tx1 | xargs)"
expect_eq "$LAST_CMD: stderr starts with \\r" "0d" "$(head -c 1 "$T/err" | od -An -tx1 | xargs)"
expect_eq "$LAST_CMD: no newline on stderr (one line, redrawn)" "0" "$(tr -cd '\n' <"$T/err" | wc -c)"

# stats and split run the engine too
expect_rc 0 "$L" stats --progress --field level "$T/a.log"
clean "$T/err" | grep -Eq '^pass 1/1  .* 100%  20(\.0)?k rec' && pass || fail "$LAST_CMD: no progress line" "$(cat -v "$T/err")"
expect_rc 0 "$L" split --progress -o "$T/ds" --ratios a=0.5,b=0.5 --rate 0.5 "$T/a.log"
clean "$T/err" | grep -Eq '^pass 1/1  .* 100%  20(\.0)?k rec' && pass || fail "$LAST_CMD: no progress line" "$(cat -v "$T/err")"
clean "$T/err" | grep -q "^ladle: committing 2 splits to $T/ds \\.\\.\\.\$" && pass ||
    fail "$LAST_CMD: no commit line" "$(cat -v "$T/err")"
# a split with a label counts first: two passes
expect_rc 0 "$L" split --progress -o "$T/ds2" --ratios a=0.5,b=0.5 --stratify level "$T/a.log"
clean "$T/err" | tr '\n' ' ' | grep -q 'pass 1/2  .*pass 2/2  ' && pass || fail "$LAST_CMD: not pass 1/2 then 2/2" "$(cat -v "$T/err")"

# the line fits the width
COLUMNS=40 run "$L" sample --progress --rate 0.05 "$T/a.log"
longest=$(clean "$T/err" | awk '{ if (length > m) m = length } END { print m + 0 }')
expect_true "COLUMNS=40: the line is cut to 39 columns (longest $longest)" test "$longest" -le 39 -a "$longest" -gt 0

# ---- silence: --no-progress (the last of the two wins), and a stderr that is no terminal
expect_rc 0 "$L" sample --progress --no-progress --rate 0.05 "$T/a.log"
expect_stderr_empty
expect_rc 0 "$L" stats --no-progress --field level "$T/a.log"
expect_stderr_empty
expect_rc 0 "$L" sample --rate 0.05 "$T/a.log"
expect_stderr_empty
run_sh "cat '$T/a.log' | '$L' sample --strata level -n 5"
expect_stderr_empty
expect_rc 0 "$L" split -o "$T/ds3" --ratios a=0.5,b=0.5 --rate 0.5 "$T/a.log"
expect_stderr_empty

# ---- stdout is the same byte for byte, whatever the threads and the design
for t in 1 2 4; do
    for d in "--rate 0.1" "-n 100" "--head 777" "--every 7" "--cluster user --rate 0.2" \
        "--strata level -n 40" "--cluster user --clusters 30" "-n 50 --shuffle"; do
        # shellcheck disable=SC2086
        "$L" sample -t $t $d "$T/a.log" "$T/b.log" >"$T/plain" 2>/dev/null
        # shellcheck disable=SC2086
        "$L" sample -t $t --progress $d "$T/a.log" "$T/b.log" >"$T/prog" 2>/dev/null
        if [ -s "$T/plain" ] && cmp -s "$T/plain" "$T/prog"; then pass; else
            fail "sample -t $t $d: stdout differs with --progress (or is empty)"
        fi
    done
    # stdin, spooled for a two-pass design
    "$L" sample -t $t --strata level -n 40 <"$T/a.log" >"$T/plain" 2>/dev/null
    cat "$T/a.log" | "$L" sample -t $t --progress --strata level -n 40 >"$T/prog" 2>/dev/null
    if [ -s "$T/plain" ] && cmp -s "$T/plain" "$T/prog"; then pass; else
        fail "cat | sample -t $t --strata level -n 40: stdout differs with --progress"
    fi
done
"$L" split -o "$T/dsa" --ratios a=0.8,b=0.2 --stratify level -t 2 "$T/a.log" 2>/dev/null
"$L" split --progress -o "$T/dsb" --ratios a=0.8,b=0.2 --stratify level -t 2 "$T/a.log" 2>/dev/null
expect_eq "split: the same shards with --progress" \
    "$(cd "$T/dsa" && find . -name '*.zst' | sort | xargs sha256sum)" \
    "$(cd "$T/dsb" && find . -name '*.zst' | sort | xargs sha256sum)"

# ---- spooling stdin says so (a two-pass design), with its size
run_sh "cat '$T/a.log' | '$L' sample --progress --strata level -n 5 >/dev/null"
expect_eq "$LAST_CMD: rc" 0 "$RC"
grep -Eq "^ladle: spooled <stdin> to ${TMPDIR:-/tmp} for a two-pass design \\([0-9.]+ MB\\)\$" \
    <(clean "$T/err") && pass ||
    fail "$LAST_CMD: no spool line" "$(cat -v "$T/err")"

# ---- an interrupt says what was read and what is left
interrupted() { # WHAT WANT_REGEX CMD...: CMD reads a stdin that stalls; SIGINT; one line
    local what=$1 want=$2 pid
    shift 2
    exec 3< <(head -c 300000 "$T/a.log"; exec sleep 30)
    E2E_PIDS+=($!)
    "$@" <&3 >"$T/sig.out" 2>"$T/sig.err" &
    pid=$!
    E2E_PIDS+=("$pid")
    exec 3<&-
    wait_handlers "$pid" 10 || true
    sleep 0.5
    signal_expect INT "$pid" 130 "$what" "$T/sig.err"
    local got
    got=$(clean "$T/sig.err" | tail -1)
    if [[ $got =~ $want ]]; then pass; else fail "SIGINT, $what: the last line" "got: $got"; fi
}
interrupted "sample to stdout" '^ladle: interrupted: [0-9.]+ KB read; (stdout holds an incomplete sample|nothing written)$' \
    "$L" sample --rate 0.5
interrupted "sample --progress" '^ladle: interrupted: [0-9.]+ KB read; (stdout holds an incomplete sample|nothing written)$' \
    "$L" sample --progress --rate 0.5
interrupted "split into a new DIR" "^ladle: interrupted: [0-9.]+ KB read; nothing committed: $T/new not created\$" \
    "$L" split -o "$T/new" --ratios a=0.5,b=0.5
expect_true "SIGINT, split: $T/new not created" [ ! -e "$T/new" ]
cp "$T/ds/manifest.json" "$T/old.manifest"
interrupted "split over a DIR" "^ladle: interrupted: [0-9.]+ KB read; nothing committed: $T/ds is as it was\$" \
    "$L" split -o "$T/ds" --force --ratios a=0.5,b=0.5
expect_true "SIGINT, split over DIR: its manifest is as it was" cmp -s "$T/ds/manifest.json" "$T/old.manifest"
interrupted "spooling stdin" '^ladle: interrupted while spooling <stdin>: [0-9.]+ KB copied; nothing written$' \
    "$L" sample --progress --strata level -n 5
interrupted "stats" '^ladle: interrupted: [0-9.]+ KB read; no report$' "$L" stats
# a file: "of N" its size
mkfifo "$T/fifo"
(exec sleep 30) >"$T/fifo" &
writer=$!
E2E_PIDS+=("$writer")
"$L" sample --rate 0.5 "$T/a.log" "$T/fifo" >/dev/null 2>"$T/sig.err" &
pid=$!
E2E_PIDS+=("$pid")
wait_handlers "$pid" 10 || true
sleep 0.5
signal_expect INT "$pid" 130 "sample FILE FIFO" "$T/sig.err"
# (The signal comes while every input is probed for its first record, before
# the engine reads a.log: so 0 B may be read.)
grep -Eq '^ladle: interrupted: [0-9.]+ (B|KB|MB) read; ' "$T/sig.err" && pass ||
    fail "SIGINT, sample FILE FIFO: no interrupt line" "$(cat -v "$T/sig.err")"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null

# ---- a real terminal: on by default, off with --no-progress (skipped without script(1))
if command -v script >/dev/null 2>&1 && script -qc true /dev/null >/dev/null 2>&1; then
    script -qc "'$L' sample --rate 0.05 '$T/a.log' >'$T/tty.out'" /dev/null >"$T/tty" 2>&1
    grep -q 'pass 1/1 .*100%' "$T/tty" && pass || fail "on a terminal: no progress line" "$(cat -v "$T/tty")"
    cmp -s "$T/tty.out" <("$L" sample --rate 0.05 "$T/a.log") && pass ||
        fail "on a terminal: stdout differs"
    script -qc "'$L' sample --no-progress --rate 0.05 '$T/a.log' >/dev/null" /dev/null >"$T/tty" 2>&1
    expect_eq "on a terminal with --no-progress: nothing" "" "$(cat -v "$T/tty")"
else
    note "script(1) cannot run here: the terminal checks are skipped"
fi
finish
