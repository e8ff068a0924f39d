#!/usr/bin/env bash
# `ladle merge STATE... [--state OUT]` (issue 10, plan commit 10): states
# drawn one per file and merged in any tree, in file order, print what one
# run over all the files prints, byte for byte (-n and --weight, several
# seeds); intermediate merges written with --state OUT merge on, and go on
# with --state; a source in two states, a state drawn otherwise (naming the
# flag and both files), a missing, truncated, corrupt or foreign state are
# refused with the exit code documented, leaving OUT as it was; OUT is
# replaced atomically (tests/fault); argument order changes only the order.
#
# This needs keys from the source id (contract 4): under contract 3 a
# state drawn over one file keyed it as input 0.
# Under LADLE_TEST_SCALE=smoke (sanitizer builds): one seed of the three.
. "$(dirname "$0")/lib.sh"
L=$LADLE
for i in 1 2 3 4 5; do
    awk -v n=$((20 + i * 7)) -v t="$i" 'BEGIN { for (k = 1; k <= n; k++)
        printf "f%s-%d\t%d\ttext %d\n", t, k, (k * 7919 + t) % 97 + 1, k * k }' >"$T/f$i.tsv"
done
files=("$T/f1.tsv" "$T/f2.tsv" "$T/f3.tsv" "$T/f4.tsv" "$T/f5.tsv")

# trees OPT...: for each tree of merges over the per-file states, in file
# order, the output equals $T/one (one run over the five files). A state
# keeps no output choice: merge gets --shuffle when OPT has it.
trees() {
    local d=$T/tr M=merge
    case " $* " in *" --shuffle "*) M="merge --shuffle" ;; esac
    rm -rf "$d" && mkdir -p "$d"
    local i
    for i in 1 2 3 4 5; do
        run $L sample "$@" --state "$d/s$i" "$T/f$i.tsv"
    done
    local s=("$d/s1" "$d/s2" "$d/s3" "$d/s4" "$d/s5")
    expect_same "$T/one" $L $M "${s[@]}"                  # all five at once
    run $L $M --state "$d/a" "${s[0]}" "${s[1]}"          # (((12)3)4)5
    run $L $M --state "$d/a" "$d/a" "${s[2]}"             # OUT is one of the states
    run $L $M --state "$d/a" "$d/a" "${s[3]}"
    expect_stdout_empty
    expect_same "$T/one" $L $M "$d/a" "${s[4]}"
    run $L $M --state "$d/b" "${s[0]}" "${s[1]}"          # (12)(345)
    run $L $M --state "$d/c" "${s[2]}" "${s[3]}" "${s[4]}"
    expect_same "$T/one" $L $M "$d/b" "$d/c"
    run $L $M --state "$d/e" "${s[3]}" "${s[4]}"          # 1(2(3(45)))
    run $L $M --state "$d/e" "${s[2]}" "$d/e"
    run $L $M --state "$d/e" "${s[1]}" "$d/e"
    expect_same "$T/one" $L $M "${s[0]}" "$d/e"
    run $L $M --state "$d/g" "$d/b" "$d/c"                # the merged state prints the same
    expect_same "$T/one" $L $M "$d/g"
    run $L $M --state "$d/h" "${s[@]:0:4}"                # and goes on with --state
    expect_same "$T/one" $L sample "$@" --state "$d/h" "$T/f5.tsv"
}

# -n and --weight, samples smaller than the inputs and one that keeps all.
for seed in $(reps 1 7 42 -- 7); do
    for d in "-n 20" "--weight 2 -n 20" "--weight 2 -n 20 --emit-weight" "-n 20 --shuffle" \
        "-n 1000" "--weight 2 -n 1000 --emit-weight"; do
        # shellcheck disable=SC2206
        opt=($d --seed "$seed" --format tsv)
        save one $L sample "${opt[@]}" "${files[@]}"
        trees "${opt[@]}"
    done
done
save one $L sample -n 20 --seed 3 --format tsv "${files[@]}" # --shuffle at merge time
trees -n 20 --seed 3 --format tsv
save shuf $L sample -n 20 --seed 3 --format tsv --shuffle "${files[@]}"
expect_same "$T/shuf" $L merge --shuffle "$T"/tr/s?

# --header: the header heads the merged output once; a weight named by its column.
for i in 1 2 3; do { printf 'id\tw\tx\n'; cat "$T/f$i.tsv"; } >"$T/h$i.tsv"; done
for d in "-n 1000" "--weight w -n 1000 --emit-weight"; do
    # shellcheck disable=SC2206
    opt=($d --seed 4 --format tsv --header)
    save hone $L sample "${opt[@]}" "$T/h1.tsv" "$T/h2.tsv" "$T/h3.tsv"
    rm -f "$T"/hs?
    for i in 1 2 3; do run $L sample "${opt[@]}" --state "$T/hs$i" "$T/h$i.tsv"; done
    expect_same "$T/hone" $L merge "$T/hs1" "$T/hs2" "$T/hs3"
    run $L merge --state "$T/hs12" "$T/hs1" "$T/hs2"
    expect_same "$T/hone" $L merge "$T/hs12" "$T/hs3"
    expect_eq "one header line ($d)" 1 "$(grep -c '^id' "$T/out")"
done

# One state: its own sample.
d=$T/tr
run $L sample -n 8 --seed 5 --format tsv --state "$T/one.st" "$T/f2.tsv"
cp "$T/out" "$T/onefile"
expect_same "$T/onefile" $L merge "$T/one.st"

# Argument order changes the order of the output only.
for i in 1 2 3 4 5; do run $L sample -n 12 --seed 9 --format tsv --state "$T/o$i" "$T/f$i.tsv"; done
save fwd $L merge "$T/o1" "$T/o2" "$T/o3" "$T/o4" "$T/o5"
save back $L merge "$T/o5" "$T/o3" "$T/o1" "$T/o4" "$T/o2"
expect_eq "records kept" 12 "$(wc -l <"$T/fwd")"
expect_eq "same records in any order" "$(sort "$T/fwd")" "$(sort "$T/back")"
expect_true "output follows the arguments" sh -c "head -1 '$T/back' | grep -q '^f5-'"

# A source in two states: refused, naming both files and the source.
expect_rc 2 $L merge "$T/o1" "$T/o2" "$T/o1"
expect_stderr_match "^ladle: merge: .*/o1 and .*/o1 both consumed source f1.tsv \(last seen as .*/f1.tsv, id [0-9a-f]{16}\)"
expect_stdout_empty
run $L merge --state "$T/o12" "$T/o1" "$T/o2"
expect_rc 2 $L merge "$T/o12" "$T/o2"
expect_stderr_match "merge: .*/o12 and .*/o2 both consumed source f2.tsv"

# Drawn otherwise: the flag and both files named.
run $L sample -n 13 --seed 9 --format tsv --state "$T/n13" "$T/f3.tsv"
expect_rc 2 $L merge "$T/o1" "$T/n13"
expect_stderr_match "merge: .*/o1 and .*/n13 were drawn differently: .*/o1 has -n 12, .*/n13 has -n 13"
run $L sample -n 12 --seed 8 --format tsv --state "$T/s8" "$T/f3.tsv"
expect_rc 2 $L merge "$T/o1" "$T/s8"
expect_stderr_match "/o1 has --seed 9, .*/s8 has --seed 8"
run $L sample --weight 2 -n 12 --seed 9 --format tsv --state "$T/w" "$T/f3.tsv"
expect_rc 2 $L merge "$T/o1" "$T/w"
expect_stderr_match "/o1 has -n, .*/w has --weight"
run $L sample --weight 2 -n 12 --seed 9 --emit-weight --format tsv --state "$T/we" "$T/f4.tsv"
expect_rc 2 $L merge "$T/w" "$T/we"
expect_stderr_match "/w has no --emit-weight, .*/we has --emit-weight"

# Missing, truncated, corrupt, foreign: exit 3, nothing printed, OUT kept.
cp "$T/o12" "$T/out.st"
cp "$T/o12" "$T/keep"
expect_rc 3 $L merge --state "$T/out.st" "$T/o3" "$T/nothere"
expect_stderr_match "nothere: state: no such file"
head -c 100 "$T/o3" >"$T/trunc"
expect_rc 3 $L merge --state "$T/out.st" "$T/o4" "$T/trunc"
expect_stderr_match "trunc: state: truncated or corrupt"
cp "$T/o3" "$T/bad"
printf '\x55' | dd of="$T/bad" bs=1 seek=60 conv=notrunc status=none
expect_rc 3 $L merge "$T/o4" "$T/bad"
expect_stderr_match "bad: state: truncated or corrupt \(checksum\)"
expect_stdout_empty
printf 'not a state\n' >"$T/foreign"
expect_rc 3 $L merge "$T/foreign" "$T/o4"
expect_stderr_match "foreign: state: not a ladle state file \(byte 0\)"
expect_true "OUT left as it was by refused merges" cmp -s "$T/keep" "$T/out.st"

# Usage errors.
expect_rc 2 $L merge
expect_stderr_match "give the state files to merge"
expect_rc 2 $L merge -n 3 "$T/o1"
expect_stderr_match "unknown option '-n'"
expect_rc 0 $L merge --help
expect_rc 0 $L help merge
if $L sample --every 3 --state "$T/ev1" "$T/f1.tsv" >/dev/null 2>&1; then
    run $L sample --every 3 --state "$T/ev2" "$T/f2.tsv"
    expect_rc 2 $L merge "$T/ev1" "$T/ev2"
    expect_stderr_match "chain the runs with --state instead"
fi

# OUT replaced atomically: fail each file-system call of the write in
# turn (tests/fault); OUT is then the old state or the new one, whole.
shim=${LADLE_FAULT_SHIM:-$(dirname "$L")/tests/fault_shim.so}
if [ -r "$shim" ]; then
    run $L merge --state "$T/new" "$T/o12" "$T/o3"
    cp "$T/o4" "$T/old"
    rm -f "$T/count"
    cp "$T/old" "$T/f.st"
    LD_PRELOAD=$shim LADLE_FAULT_COUNT=$T/count $L merge --state "$T/f.st" "$T/o12" "$T/o3"
    calls=$(cat "$T/count" 2>/dev/null || echo 0)
    expect_true "calls counted" test "$calls" -gt 0
    bad=0
    for n in $(seq 1 "$calls"); do
        cp "$T/old" "$T/f.st"
        LD_PRELOAD=$shim LADLE_FAULT_AT=$n LADLE_FAULT_MODE=enospc \
            $L merge --state "$T/f.st" "$T/o12" "$T/o3" >/dev/null 2>"$T/ferr"
        rc=$?
        if ! cmp -s "$T/f.st" "$T/old" && ! cmp -s "$T/f.st" "$T/new"; then
            bad=1
            fail "fault at call $n: OUT is neither the old nor the new state"
        fi
        if [ "$rc" != 0 ] && ! cmp -s "$T/f.st" "$T/old" && ! grep -q 'written, but' "$T/ferr"; then
            bad=1
            fail "fault at call $n: exit $rc but OUT replaced" "$(cat "$T/ferr")"
        fi
        left=$(ls -A "$T" | grep -c '^f\.st\..')
        [ "$left" = 0 ] || [ "$(ls -A "$T" | grep '^f\.st\..')" = f.st.lock ] || {
            bad=1
            fail "fault at call $n: a temporary file left" "$(ls -A "$T" | grep '^f\.st\.')"
        }
    done
    [ "$bad" = 0 ] && pass
else
    note "no fault shim at $shim: the atomic OUT check is skipped"
fi
finish
