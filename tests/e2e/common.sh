# Sourced by the e2e scripts: a temp dir, checks that count, a summary line.
# Env: LADLE (the binary), LADLE_GEN (the generator), LADLE_SHARED (../shared).
set -u
: "${LADLE:?LADLE must name the ladle binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/ladle-e2e-XXXXXX")
trap 'rm -rf "$T"' EXIT
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
    if [ "$2" = "$3" ]; then ok; else bad "$1: expected [$2], got [$3]"; fi
}

# expect_rc CODE CMD...: runs CMD (stdout to $T/out, stderr to $T/err), checks its status
expect_rc() {
    local want=$1
    shift
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" = "$want" ]; then ok; else bad "$* : exit $rc, expected $want; stderr: $(head -c 300 "$T/err")"; fi
}

# expect_err REGEX: the last expect_rc's stderr is one line matching REGEX
expect_err() {
    local lines
    lines=$(wc -l <"$T/err")
    if [ "$lines" = 1 ] && grep -Eq "$1" "$T/err"; then ok; else bad "stderr [$(cat "$T/err")] is not one line matching /$1/"; fi
}

same_output() { # WHAT CMD_A CMD_B: both commands' stdout identical
    local a b
    a=$(bash -c "$2" 2>/dev/null | sha256sum)
    b=$(bash -c "$3" 2>/dev/null | sha256sum)
    expect_eq "$1" "$a" "$b"
}

done_testing() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" = 0 ]
}

# A small, varied log: LADLE_GEN when built, else awk.
make_log() { # FILE RECORDS SEED
    if [ -n "${LADLE_GEN:-}" ] && [ -x "$LADLE_GEN" ]; then
        "$LADLE_GEN" --format json --records "$2" --seed "$3" >"$1"
    else
        awk -v n="$2" -v s="$3" 'BEGIN { srand(s); for (i = 0; i < n; i++)
            printf "{\"i\":%d,\"level\":\"%s\",\"user\":\"u%d\"}\n", i, (rand() < 0.9 ? "INFO" : "ERROR"), int(rand() * 500) }' >"$1"
    fi
}
