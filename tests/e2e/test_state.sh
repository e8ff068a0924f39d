#!/usr/bin/env bash
# `--state FILE` for -n and --weight (issue 10, plan commit 5): chained runs print what one run over every input prints,
# byte for byte, for several seeds; a run whose inputs are all consumed
# reads nothing and prints the same; a damaged or foreign state is exit 3
# and left as it was; a state drawn otherwise is a usage error naming the
# option; designs that cannot carry over are usage errors; a second run on
# a state in use is refused; no temporary file is left behind.
. "$(dirname "$0")/lib.sh"
L=$LADLE
mk() { # mk FILE N TAG: TSV records "TAG-i <tab> weight <tab> text"
    awk -v n="$2" -v t="$3" 'BEGIN { for (i = 1; i <= n; i++)
        printf "%s-%d\t%d.%d\tsome text %d\n", t, i, (i * 7919) % 1000, i % 10, i * i }' >"$1"
}
mk "$T/a.tsv" 3000 a
mk "$T/b.tsv" 2000 b
mk "$T/c.tsv" 700 c
zstd -q "$T/b.tsv" -o "$T/b.tsv.zst" || skip "zstd is needed"
files=("$T/a.tsv" "$T/b.tsv.zst" "$T/c.tsv")
designs=("-n 40" "-n 5000" "--weight 2 -n 40" "--weight 2 -n 40 --emit-weight" "-n 40 --shuffle")
n=0
for seed in 1 7 42; do
    for d in "${designs[@]}"; do
        # shellcheck disable=SC2206
        opt=($d --seed "$seed" --format tsv)
        save one $L sample "${opt[@]}" "${files[@]}"
        # one file per run
        n=$((n + 1))
        st=$T/s$n/state
        mkdir -p "$T/s$n"
        for f in "${files[@]}"; do
            run $L sample "${opt[@]}" --state "$st" "$f"
        done
        expect_output_file "$T/one"
        # every file so far in each run
        st2=$T/s$n/state2
        run $L sample "${opt[@]}" --state "$st2" "${files[0]}"
        run $L sample "${opt[@]}" --state "$st2" "${files[0]}" "${files[1]}"
        expect_same "$T/one" $L sample "${opt[@]}" --state "$st2" "${files[@]}"
        # nothing new: nothing read, the same sample
        expect_same "$T/one" $L sample "${opt[@]}" -v --state "$st" "${files[@]}"
        grep -q ' 0 records read' "$T/err" && pass || fail "$d seed $seed: read again" "$(cat "$T/err")"
        left=$(ls -A "$T/s$n" | grep -v -x -e state -e state2 -e state.lock -e state2.lock)
        expect_eq "no temporary file ($d)" "" "$left"
    done
done

# --header: the header line heads the output, also when nothing is new.
for f in a b c; do { printf 'id\tw\ttext\n'; cat "$T/$f.tsv"; } >"$T/h$f.tsv"; done
hfiles=("$T/ha.tsv" "$T/hb.tsv" "$T/hc.tsv")
for d in "-n 30" "--weight w -n 30 --emit-weight"; do
    # shellcheck disable=SC2206
    bare=($d --seed 5 --format tsv)
    opt=("${bare[@]}" --header)
    save hone $L sample "${opt[@]}" "${hfiles[@]}"
    rm -f "$T/hs"
    for f in "${hfiles[@]}"; do run $L sample "${opt[@]}" --state "$T/hs" "$f"; done
    expect_output_file "$T/hone"
    expect_same "$T/hone" $L sample "${opt[@]}" --state "$T/hs" "${hfiles[@]}"
    [ "$d" = "-n 30" ] || continue # a named column needs --header before any state is read
    expect_rc 2 $L sample "${bare[@]}" --state "$T/hs" "${hfiles[@]}"
    expect_stderr_match "state: drawn with --header, this run has no --header"
done

# A damaged state: exit 3, one line, the file as it was, nothing printed.
st=$T/s1/state
cp "$st" "$T/good"
size=$(stat -c %s "$st")
cp "$st" "$T/bad"
printf '\x55' | dd of="$T/bad" bs=1 seek=$((size / 2)) conv=notrunc status=none
cp "$T/bad" "$st"
expect_rc 3 $L sample -n 40 --seed 1 --format tsv --state "$st" "${files[@]}"
expect_stderr_match "^ladle: .*state: truncated or corrupt \(checksum\) \(byte [0-9]+\)$"
expect_stdout_empty
expect_true "damaged state left as it was" cmp -s "$T/bad" "$st"
head -c $((size - 3)) "$T/good" >"$st"
expect_rc 3 $L sample -n 40 --seed 1 --format tsv --state "$st" "${files[@]}"
expect_stderr_match "state: truncated or corrupt"
printf 'not a state\n' >"$st"
expect_rc 3 $L sample -n 40 --seed 1 --format tsv --state "$st" "${files[@]}"
expect_stderr_match "state: not a ladle state file \(byte 0\)"
expect_true "foreign file left" grep -q 'not a state' "$st"
cp "$T/good" "$st"

# Drawn otherwise: a usage error naming the option as typed.
expect_rc 2 $L sample -n 40 --seed 2 --format tsv --state "$st" "${files[@]}"
expect_stderr_match "state: drawn with --seed 1, this run has --seed 2"
expect_rc 2 $L sample -n 41 --seed 1 --format tsv --state "$st" "${files[@]}"
expect_stderr_match "state: drawn with -n 40, this run has -n 41"
expect_rc 2 $L sample --weight 2 -n 40 --seed 1 --format tsv --state "$st" "${files[@]}"
expect_stderr_match "state: drawn with -n, this run has --weight"
expect_true "refused state left" cmp -s "$T/good" "$st"

# Designs that cannot carry over, stdin, one source twice, -o DIR.
expect_rc 2 $L sample --snowball --seeds "$T/c.tsv" --link 1:2 --state "$T/x" "$T/a.tsv"
expect_stderr_match "snowball cannot carry over between runs"
cp "$T/a.tsv" "$T/copy"
mkdir -p "$T/d2" && cp "$T/a.tsv" "$T/d2/a.tsv"
expect_rc 2 $L sample -n 3 --state "$T/x" "$T/a.tsv" "$T/d2/a.tsv"
# (the probe of every input finds it first: the same name and first record)
expect_stderr_match "are the same source to (--state|ladle)"
expect_rc 2 $L sample -n 3 --state "$T/x" -o "$T/ds" "$T/a.tsv"
expect_stderr_match "state does not go with -o DIR"
expect_true "no state written by refused runs" test ! -e "$T/x"

# A file that grew since it was consumed is read from where the state left
# off (tests/e2e/test_cron.sh has the whole cycle); one rewritten under its
# name is a new source, said on stderr.
seq 1 500 >"$T/grow.log"
run $L sample -n 3 --state "$T/g" "$T/grow.log"
seq 501 510 >>"$T/grow.log"
save grown $L sample -n 3 --state "$T/g" "$T/grow.log"
expect_same "$T/grown" $L sample -n 3 "$T/grow.log"
seq 1000 1100 >"$T/grow.log"
expect_rc 0 $L sample -n 3 --state "$T/g" "$T/grow.log"
expect_stderr_match "grow.log: a new source: its first record changed since --state read"

# The state deleted while a run uses it: the run read it whole at the start,
# so it writes the union as if nothing happened (strace holds its rename back).
if command -v strace >/dev/null && strace -f -o /dev/null -e trace=rename \
    -e inject=rename:delay_enter=1 true 2>/dev/null; then
    rm -f "$T/del"
    run $L sample -n 3 --state "$T/del" "$T/a.tsv"
    # (LeakSanitizer cannot run under ptrace: the ASan build leaves leaks unchecked here)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -o /dev/null -e trace=rename -e inject=rename:delay_enter=1500000 \
        $L sample -n 3 --state "$T/del" "$T/a.tsv" "$T/c.tsv" >"$T/del.out" 2>"$T/del.err" &
    E2E_PIDS+=($!)
    sleep 0.5
    rm -f "$T/del"
    wait "${E2E_PIDS[-1]}"
    expect_eq "a run whose state was deleted under it: exit ($(cat "$T/del.err"))" 0 "$?"
    expect_true "its state is written again" test -s "$T/del"
    expect_same "$T/del.out" $L sample -n 3 "$T/a.tsv" "$T/c.tsv"
    expect_same "$T/del.out" $L sample -n 3 --state "$T/del" "$T/a.tsv" "$T/c.tsv"
else
    note "strace cannot delay a call here: the deleted-state case is not run"
fi

# A state in use by another run.
if command -v flock >/dev/null; then
    expect_rc 2 flock "$st.lock" $L sample -n 40 --seed 1 --format tsv --state "$st" "${files[@]}"
    expect_stderr_match "state .* is in use by another ladle"
fi
finish
