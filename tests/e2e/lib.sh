# shellcheck shell=bash
# lib.sh -- sourced by tests/e2e/test_*.sh: a temp dir removed on exit,
# checks that count and explain themselves, data makers, one summary line.
#
# Env (set by tests/CMakeLists.txt): LADLE (the binary), LADLE_GEN (the
# generator; optional), LADLE_SRC (repo root), LADLE_SHARED (may not exist).
# A script ends with `finish`: "N passed, M failed", exit 0 or 1; `skip MSG`
# exits 77. Each ladle run is bounded by `timeout` (E2E_TIMEOUT seconds), so a
# hang fails as exit 124 instead of stalling ctest.
set -u
: "${LADLE:?LADLE must name the ladle binary}"
if [ ! -x "$LADLE" ]; then
    echo "FAIL: LADLE=$LADLE is not an executable" >&2
    exit 1
fi
E2E_TIMEOUT=${E2E_TIMEOUT:-300}
T=$(mktemp -d "${TMPDIR:-/tmp}/ladle-e2e.XXXXXX") || exit 1
PASSED=0
FAILED=0
E2E_PIDS=() # background processes a test started; killed on exit

e2e_cleanup() {
    local p
    for p in ${E2E_PIDS[@]+"${E2E_PIDS[@]}"}; do
        kill -9 "$p" 2>/dev/null
    done
    chmod -R u+rwX "$T" 2>/dev/null
    rm -rf "$T"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# quote_into VAR ARGS...: VAR = the arguments as one shell-quoted line.
# (printf -v forks nothing: run() below pays this on every ladle call.)
quote_into() {
    local -n quoted_=$1
    shift
    printf -v quoted_ '%q ' "$@"
    quoted_=${quoted_% }
}
# q ARGS...: the same line on stdout, for messages.
q() {
    local s
    quote_into s "$@"
    printf '%s' "$s"
}

# Test scale (see tests/test_util.h): LADLE_TEST_SCALE=smoke, set in the
# sanitizer builds, runs a loop that only repeats the same code with other
# seeds, sizes or thread counts once (`reps`), and `smoke` lets a test leave
# out what needs the full repetitions. The Debug pass runs everything.
smoke() { [ "${LADLE_TEST_SCALE:-full}" = smoke ]; }
# reps FULL... -- SMOKE...: the words before `--`, or under smoke those after.
reps() {
    local full=() small=() seen=0 a
    for a in "$@"; do
        if [ "$seen" = 0 ] && [ "$a" = -- ]; then
            seen=1
        elif [ "$seen" = 0 ]; then
            full+=("$a")
        else
            small+=("$a")
        fi
    done
    if smoke; then printf '%s\n' "${small[@]}"; else printf '%s\n' "${full[@]}"; fi
}

pass() { PASSED=$((PASSED + 1)); }
# fail WHAT [DETAIL...]: counts a failure, prints it (details indented).
fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL: $1"
    shift
    local d
    for d in "$@"; do
        printf '%s\n' "$d" | sed 's/^/    /'
    done
}
note() { echo "note: $*"; }
skip() {
    echo "skip: $*"
    exit 77
}
finish() {
    echo "$PASSED passed, $FAILED failed$(smoke && echo ' (LADLE_TEST_SCALE=smoke)')"
    [ "$FAILED" = 0 ] && exit 0
    exit 1
}

# show_diff FILE_A FILE_B: what differs, briefly (control bytes made visible).
show_diff() {
    local sa sb la lb
    sa=$(wc -c <"$1")
    sb=$(wc -c <"$2")
    la=$(wc -l <"$1")
    lb=$(wc -l <"$2")
    echo "expected: $sa bytes, $la lines; got: $sb bytes, $lb lines"
    cmp "$1" "$2" 2>&1 | head -1
    diff "$1" "$2" 2>&1 | head -8 | cut -c1-200 | cat -v
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
    if [ "$2" = "$3" ]; then
        pass
        return 0
    fi
    if [ "${#2}" -lt 120 ] && [ "${#3}" -lt 120 ] && [[ "$2$3" != *$'\n'* ]]; then
        fail "$1" "expected [$2]" "got      [$3]"
    else
        printf '%s\n' "$2" >"$T/.exp"
        printf '%s\n' "$3" >"$T/.act"
        fail "$1" "$(show_diff "$T/.exp" "$T/.act")"
    fi
    return 1
}

# expect_true WHAT CMD...: CMD succeeds.
expect_true() {
    local what=$1
    shift
    if "$@"; then pass; else fail "$what" "check failed: $(q "$@")"; fi
}

# run CMD...: runs CMD with a time limit; stdout in $T/out, stderr in $T/err,
# status in RC, the command line in LAST_CMD.
run() {
    quote_into LAST_CMD "$@"
    timeout -k 5 "$E2E_TIMEOUT" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}

# run_sh SCRIPT: run, for pipelines: bash -o pipefail -c SCRIPT.
run_sh() {
    LAST_CMD=$1
    timeout -k 5 "$E2E_TIMEOUT" bash -o pipefail -c "$1" >"$T/out" 2>"$T/err"
    RC=$?
}

# expect_rc CODE CMD...: CMD exits with CODE (stdout $T/out, stderr $T/err).
expect_rc() {
    local want=$1
    shift
    run "$@"
    if [ "$RC" = "$want" ]; then
        pass
        return 0
    fi
    fail "$LAST_CMD" "exit $RC, expected $want$([ "$RC" = 124 ] && echo ' (timed out: hang?)')" \
        "stderr: $(head -c 600 "$T/err" | cat -v)"
    return 1
}

# expect_stderr_match REGEX: the last run's stderr is exactly one line, and it
# matches the extended REGEX.
expect_stderr_match() {
    local lines
    lines=$(wc -l <"$T/err")
    if [ "$lines" = 1 ] && [ "$(tail -c 1 "$T/err" | od -An -c | tr -d ' ')" = '\n' ] &&
        grep -Eq -- "$1" "$T/err"; then
        pass
        return 0
    fi
    fail "$LAST_CMD: stderr is not one line matching /$1/" \
        "stderr ($lines lines): $(head -c 600 "$T/err" | cat -v)"
    return 1
}

# expect_stderr_empty: the last run wrote nothing on stderr.
expect_stderr_empty() {
    if [ ! -s "$T/err" ]; then
        pass
        return 0
    fi
    fail "$LAST_CMD: stderr is not empty" "stderr: $(head -c 600 "$T/err" | cat -v)"
    return 1
}

# expect_stdout_empty: the last run wrote nothing on stdout.
expect_stdout_empty() {
    if [ ! -s "$T/out" ]; then
        pass
        return 0
    fi
    fail "$LAST_CMD: stdout is not empty" "stdout: $(head -c 300 "$T/out" | cat -v)"
    return 1
}

# expect_output_file REF: the last run exited 0 and its stdout equals file REF.
expect_output_file() {
    if [ "$RC" = 0 ] && cmp -s "$1" "$T/out"; then
        pass
        return 0
    fi
    if [ "$RC" != 0 ]; then
        fail "$LAST_CMD" "exit $RC, expected 0$([ "$RC" = 124 ] && echo ' (timed out: hang?)')" \
            "stderr: $(head -c 600 "$T/err" | cat -v)"
    else
        fail "$LAST_CMD: output differs from $(basename "$1")" "$(show_diff "$1" "$T/out")"
    fi
    return 1
}

# expect_same REF CMD...: CMD exits 0 and writes exactly the bytes of file REF.
expect_same() {
    local ref=$1
    shift
    run "$@"
    expect_output_file "$ref"
}

# expect_same_sh REF SCRIPT: the same for a shell pipeline (pipefail).
expect_same_sh() {
    run_sh "$2"
    expect_output_file "$1"
}

# save NAME CMD...: runs CMD, which must exit 0; its stdout becomes $T/NAME.
save() {
    local name=$1
    shift
    run "$@"
    if [ "$RC" != 0 ]; then
        fail "$LAST_CMD" "exit $RC, expected 0" "stderr: $(head -c 600 "$T/err" | cat -v)"
    fi
    cp "$T/out" "$T/$name"
}

# is_subsequence SAMPLE FILE: the lines of SAMPLE occur in FILE in this order
# (each line of FILE used at most once).
is_subsequence() {
    awk 'BEGIN { n = 0; j = 0 } NR == FNR { s[n++] = $0; next } j < n && $0 == s[j] { j++ } END { exit !(j == n) }' "$1" "$2"
}

lines_of() { wc -l <"$1" | tr -d ' '; }
sha_of() { sha256sum <"$1" | cut -d' ' -f1; }

# make_log FILE RECORDS SEED [json|tsv]: a varied log, from LADLE_GEN when it
# works, else from awk (the generator is optional and may be under work).
make_log() {
    local file=$1 n=$2 seed=$3 fmt=${4:-json}
    if [ -n "${LADLE_GEN:-}" ] && [ -x "$LADLE_GEN" ] &&
        "$LADLE_GEN" --format "$fmt" --records "$n" --seed "$seed" >"$file" 2>/dev/null &&
        [ "$(lines_of "$file")" = "$n" ]; then
        return 0
    fi
    awk -v n="$n" -v s="$seed" -v fmt="$fmt" 'BEGIN {
        srand(s); split("INFO INFO INFO INFO WARN ERROR DEBUG", lv, " ")
        for (i = 0; i < n; i++) {
            l = lv[1 + int(rand() * 7)]; u = int(rand() * 5000); ms = rand() * 900
            pad = substr("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1, int(rand() * 64))
            if (fmt == "tsv")
                printf "2026-11-01T00:00:%09.6fZ\t%s\tu%d\t%.2f\t/api/v1/items/%d\t%s\n", i / 1000, l, u, ms, i, pad
            else
                printf "{\"ts\":%d,\"level\":\"%s\",\"user\":\"u%d\",\"latency_ms\":%.2f,\"path\":\"/api/v1/items/%d\",\"msg\":\"m%s\"}\n", i, l, u, ms, i, pad
        }
    }' >"$file"
}

# bg_start VAR CMD...: starts CMD in the background, its pid in VAR and
# E2E_PIDS (so a failing script never leaves it behind).
bg_start() {
    local var=$1
    shift
    "$@" &
    E2E_PIDS+=($!)
    printf -v "$var" '%s' "$!"
}

# wait_gone PID SECONDS: 0 if PID exits within SECONDS.
wait_gone() {
    local i
    for ((i = 0; i < $2 * 20; i++)); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.05
    done
    kill -0 "$1" 2>/dev/null && return 1
    return 0
}

# signal_expect SIG PID WANT WHAT [ERRFILE]: sends SIG to PID (a child of this
# shell), then expects it to exit with status WANT within 5 s; a hang is a
# failure and the process is killed. ERRFILE's first lines are shown on a miss.
signal_expect() {
    local sig=$1 pid=$2 want=$3 what=$4 errf=${5:-/dev/null} rc
    kill -"$sig" "$pid"
    if wait_gone "$pid" 5; then
        wait "$pid"
        rc=$?
        expect_eq "SIG$sig, $what: exit status" "$want" "$rc"
        [ "$rc" = "$want" ] || sed 's/^/    stderr: /' "$errf" | head -3
    else
        fail "SIG$sig, $what: still running 5 s after the signal (hang)" \
            "stderr so far: $(head -c 300 "$errf")"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
}

# wait_handlers PID SECONDS: 0 once PID catches SIGINT and SIGTERM (its
# handlers are installed, per /proc/PID/status SigCgt).
wait_handlers() {
    local i cgt
    for ((i = 0; i < $2 * 20; i++)); do
        cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
        if [ -n "$cgt" ] && (((16#$cgt & 0x4002) == 0x4002)); then
            return 0
        fi
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
