#!/usr/bin/env bash
# sweep.sh -- fault injection: every file-system call of `ladle split` made
# to fail (EIO, ENOSPC) or killed (SIGKILL), one at a time, with
# tests/fault/fault_shim.c preloaded (see tests/fault/README.md).
#
# Two scenarios: a new DIR, and --force over an existing dataset (other
# split names, an unrelated file beside it). For each call N and mode:
#   - the faulted run exits non-zero with a "ladle: ..." line (a kill: 137),
#     or exits 0 with the new dataset in place (a failed close, or a
#     "ladle: warning:" about a temporary folder it could not remove);
#   - DIR's manifest describes either the old dataset or the new one, with
#     every listed file's sha256 the reference run's (never a mix); DIR is
#     byte-for-byte as before (temporary folders aside, and none left at
#     all after an error) when it is the old one;
#   - `ladle verify --repair DIR` then leaves DIR byte-for-byte the old or
#     the new dataset, no temporary folder, and verifies;
#   - the next normal run (--force) succeeds, leaves no temporary folder,
#     and `ladle verify` passes.
# Default: a reduced sweep (every LADLE_FAULT_STEP-th call, default 10, and
# every call from 8 before the commit point to 24 after), modes eio and kill,
# enospc on every 3rd of those. LADLE_FAULT_FULL=1: every call, every mode.
#
# Env: LADLE, LADLE_FAULT_SHIM (the preload library), LADLE_SRC.
. "${LADLE_SRC:?LADLE_SRC must name the source tree}/tests/e2e/lib.sh"
: "${LADLE_FAULT_SHIM:?LADLE_FAULT_SHIM must name fault_shim.so}"
[ -f "$LADLE_FAULT_SHIM" ] || skip "no $LADLE_FAULT_SHIM"
command -v zstd >/dev/null || skip "needs zstd"
command -v sha256sum >/dev/null || skip "needs sha256sum"
cd "$T" || exit 1
L=$LADLE
FULL=${LADLE_FAULT_FULL:-0}
STEP=${LADLE_FAULT_STEP:-10}

awk 'BEGIN { srand(5); for (i = 0; i < 3000; i++) printf "rec %05d user%d %.6f\n", i, i % 97, rand() }' >in.txt
NEW=(split -o D --ratios train=0.8,val=0.1,test=0.1 --seed 7 --shard-records 400 in.txt)
FORCE=(split -o D --force --ratios train=0.8,val=0.1,test=0.1 --seed 7 --shard-records 400 in.txt)

# snap DIR: every entry (type, mode, name, link) and file checksum below
# DIR, temporary folders left out; "absent" when DIR is missing or holds
# nothing else.
snap() {
    if [ ! -d "$1" ] || [ -z "$(cd "$1" && find . -mindepth 1 -maxdepth 1 ! -name '.ladle-tmp-*')" ]; then
        echo absent
        return
    fi
    (
        cd "$1" || exit
        find . -path './.ladle-tmp-*' -prune -o -printf '%y %m %p -> %l\n' | sort
        find . -path './.ladle-tmp-*' -prune -o -type f -exec sha256sum {} + | sort -k2
    )
}
# logical DIR: the dataset DIR/manifest.json describes: the manifest with
# paths as they will be once in place (a pending commit's folder and key
# taken out), and the sha256 of each file it lists, where it lists it.
logical() {
    [ -f "$1/manifest.json" ] || {
        echo none
        return
    }
    awk '/^  "commit_pending": \{/ { skip = 1 } skip { if ($0 ~ /^  \}/) skip = 0; next }
         { sub(/,$/, ""); gsub(/"\.ladle-tmp-[A-Za-z0-9]+\//, "\""); print }' "$1/manifest.json"
    local f
    awk '/"file":/ { s = $0; sub(/^[^:]*: *"/, "", s); sub(/",?$/, "", s); print s }' "$1/manifest.json" |
        while read -r f; do
            printf '%s %s\n' "${f#.ladle-tmp-*/}" "$(sha256sum <"$1/$f" 2>&1 | cut -c1-64)"
        done
}
temps() { find "$1" -maxdepth 1 -name '.ladle-tmp-*' 2>/dev/null; }

setup() { # setup new|force: DIR as each scenario starts
    rm -rf D
    [ "$1" = force ] && cp -a D.old D
}

# the old dataset, and references made by runs without faults
"$L" split -o D --ratios a=0.5,b=0.5 --seed 1 --shard-records 700 in.txt >/dev/null 2>&1 ||
    skip "ladle split does not work here"
echo "unrelated" >D/notes.txt
mv D D.old
declare -A BEFORE BEFORE_LOG NEW_SNAP NEW_LOG NEXT_SNAP ARGS COUNT COMMIT
ARGS[new]="${NEW[*]}"
ARGS[force]="${FORCE[*]}"
for sc in new force; do
    setup "$sc"
    BEFORE[$sc]=$(snap D)
    BEFORE_LOG[$sc]=$(logical D)
    # shellcheck disable=SC2086
    env LD_PRELOAD="$LADLE_FAULT_SHIM" LADLE_FAULT_LOG="$T/log.$sc" "$L" ${ARGS[$sc]} >/dev/null 2>err ||
        { fail "$sc: the reference run failed" "$(cat err)"; finish; }
    NEW_SNAP[$sc]=$(snap D)
    NEW_LOG[$sc]=$(logical D)
    COUNT[$sc]=$(wc -l <"log.$sc")
    COMMIT[$sc]=$(awk '$2 ~ /^rename/ && ($3 == "staged.json" || $3 == "manifest.json") { print $1; exit }' "log.$sc")
    [ -n "${COMMIT[$sc]}" ] || { fail "$sc: no commit rename in the call log" "$(tail -5 "log.$sc")"; finish; }
    setup "$sc"
    "$L" "${FORCE[@]}" >/dev/null 2>&1
    NEXT_SNAP[$sc]=$(snap D)
    echo "$sc: ${COUNT[$sc]} calls, the commit point (rename of staged.json) is call ${COMMIT[$sc]}"
done

declare -A SEEN
CASES=0
# one_case SCENARIO MODE N
one_case() {
    local sc=$1 mode=$2 n=$3 rc what state lg after
    what="$sc DIR, $mode at call $n ($(sed -n "${n}p" "log.$sc"))"
    CASES=$((CASES + 1))
    setup "$sc"
    # (in a subshell that outlives it: bash's "Killed" notice goes nowhere)
    # shellcheck disable=SC2086
    (
        timeout -k 5 120 env LD_PRELOAD="$LADLE_FAULT_SHIM" LADLE_FAULT_AT="$n" LADLE_FAULT_MODE="$mode" \
            "$L" ${ARGS[$sc]} >out 2>err
        echo $? >rc
    ) 2>/dev/null
    rc=$(cat rc)
    lg=$(logical D)
    if [ "$lg" = "${NEW_LOG[$sc]}" ]; then
        state=new
    elif [ "$lg" = "${BEFORE_LOG[$sc]}" ]; then
        state=old
    else
        fail "$what: DIR is neither the old dataset nor the new one (exit $rc)" \
            "$(diff <(echo "${NEW_LOG[$sc]}") <(echo "$lg") | head -8)" "stderr: $(head -c 400 err)"
        return
    fi
    if [ "$mode" = kill ]; then
        [ "$rc" = 137 ] || fail "$what: exit $rc, expected 137 (killed)" "stderr: $(head -c 400 err)"
    elif [ "$rc" = 0 ]; then
        # a success: the new dataset in place, the fault harmless or told
        local call
        call=$(sed -n "${n}p" "log.$sc" | awk '{ print $2 }')
        if [ "$call" != close ] && ! grep -q '^ladle: warning: D/\.ladle-tmp-[A-Za-z0-9]*: ' err; then
            fail "$what: exit 0 without a warning naming the folder left: the fault went unnoticed" \
                "stderr: $(head -c 400 err)"
        fi
        [ "$(snap D)" = "${NEW_SNAP[$sc]}" ] ||
            fail "$what: exit 0 but DIR is not the new dataset in place" "stderr: $(head -c 400 err)"
        SEEN[$sc.$mode.ok0]=$((${SEEN[$sc.$mode.ok0]:-0} + 1))
    else
        if ! [ "$rc" -ge 3 ] 2>/dev/null || ! [ "$rc" -le 5 ] || ! grep -qE '^ladle: .+' err; then
            fail "$what: exit $rc, expected 3-5 with a 'ladle: ...' line" "stderr: $(head -c 400 err)"
        fi
        if [ "$state" = old ]; then
            [ "$(snap D)" = "${BEFORE[$sc]}" ] ||
                fail "$what: DIR is not byte-for-byte as before" \
                    "$(diff <(echo "${BEFORE[$sc]}") <(snap D) | head -8)" "stderr: $(head -c 400 err)"
            [ -z "$(temps D)" ] || fail "$what: an error left $(temps D)"
            [ "${BEFORE[$sc]}" != absent ] || [ ! -e D ] || fail "$what: an error left the new DIR behind"
        else
            grep -q 'committed' err || fail "$what: the new dataset is committed, the message does not say so" \
                "stderr: $(head -c 400 err)"
        fi
    fi
    SEEN[$sc.$mode.$state]=$((${SEEN[$sc.$mode.$state]:-0} + 1))
    # a commit left pending: verify says so (and does not pass)
    if grep -q '"commit_pending"' D/manifest.json 2>/dev/null; then
        run "$L" verify D
        [ "$RC" = 3 ] && grep -q 'a commit that did not finish' "$T/err" ||
            fail "$what: ladle verify on a pending commit: exit $RC" "stderr: $(head -c 400 "$T/err")"
    fi
    # what a user does next: repair, then (or instead) run again
    if [ -e D/manifest.json ] || [ "${BEFORE[$sc]}" != absent ]; then
        run "$L" verify --repair D
        [ "$RC" = 0 ] || fail "$what: ladle verify --repair: exit $RC" "stderr: $(head -c 400 "$T/err")"
        after=$(snap D)
        if [ "$state" = new ]; then
            [ "$after" = "${NEW_SNAP[$sc]}" ] || fail "$what: after --repair DIR is not the new dataset" \
                "$(diff <(echo "${NEW_SNAP[$sc]}") <(echo "$after") | head -8)"
        else
            [ "$after" = "${BEFORE[$sc]}" ] || fail "$what: after --repair DIR is not as before" \
                "$(diff <(echo "${BEFORE[$sc]}") <(echo "$after") | head -8)"
        fi
        [ -z "$(temps D)" ] || fail "$what: --repair left $(temps D)"
    fi
    run "$L" "${FORCE[@]}"
    [ "$RC" = 0 ] || fail "$what: the next run: exit $RC" "stderr: $(head -c 400 "$T/err")"
    [ -z "$(temps D)" ] || fail "$what: the next run left $(temps D)"
    [ "$(snap D)" = "${NEXT_SNAP[$sc]}" ] || fail "$what: the next run's dataset is not the reference's"
    run "$L" verify D
    [ "$RC" = 0 ] || fail "$what: ladle verify after the next run: exit $RC" "stderr: $(head -c 400 "$T/err")"
    pass
}

SECONDS=0
for sc in new force; do
    f0=$FAILED
    c0=$CASES
    for ((n = 1; n <= COUNT[$sc]; n++)); do
        near=$((n >= COMMIT[$sc] - 8 && n <= COMMIT[$sc] + 24))
        if [ "$FULL" = 1 ]; then
            modes="eio enospc kill"
        elif [ "$near" = 1 ] || [ $((n % STEP)) = 1 ]; then
            modes="eio kill"
            [ $((n % 3)) = 0 ] && modes="$modes enospc"
        else
            continue
        fi
        for mode in $modes; do
            one_case "$sc" "$mode" "$n"
        done
    done
    line="$sc DIR: $((CASES - c0)) cases over ${COUNT[$sc]} calls, $((FAILED - f0)) failed; outcomes:"
    for k in "${!SEEN[@]}"; do
        [ "${k%%.*}" = "$sc" ] && line+=" ${k#*.}=${SEEN[$k]}"
    done
    echo "$line"
done
echo "sweep ($([ "$FULL" = 1 ] && echo full || echo "reduced, step $STEP")): $CASES cases in ${SECONDS}s"
finish
