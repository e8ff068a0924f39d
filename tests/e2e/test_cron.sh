#!/usr/bin/env bash
# `--state` on a log that grows and rotates (issue 10, item 3): a cron job
# runs after each step of "append, append a partial line, finish it and
# rotate (rename to .1, a new log), compress .1, delete it, shrink". After
# every run the output equals one run without a state over the bytes seen
# so far, each under the name it had when first read; each record is read
# exactly once (the records read add up to the lines written); a grown
# plain file is read only from where the state left off (bytes read, -v);
# a partial last line waits for the next run and says so; a file that
# shrank is a new source and says so.
. "$(dirname "$0")/lib.sh"
L=$LADLE
command -v gzip >/dev/null || skip "gzip is needed"
lines() { # lines FILE FROM TO: appends log lines FROM..TO
    awk -v a="$2" -v b="$3" 'BEGIN { for (i = a; i <= b; i++)
        printf "2024-05-01T%02d:%02d:%02d host%d GET /item/%d %d\n",
            (i / 3600) % 24, (i / 60) % 60, i % 60, i % 7, i * 31 % 1000, i }' >>"$1"
}
records_read() { sed -n 's/^ladle: sample: \([0-9]*\) records read.*/\1/p' "$T/err"; }
bytes_read() { sed -n 's/.*records read (\([0-9.]*\) MB, \([0-9.]*\) MB from disk.*/\2/p' "$T/err"; }

for d in "-n 40" "--weight re:([0-9]+)$ -n 30 --emit-weight" "-n 40 --shuffle" "-n 100000"; do
    rm -rf "$T/log" "$T/ref1" "$T/ref2" "$T/st"
    mkdir -p "$T/log" "$T/ref1" "$T/ref2"
    # shellcheck disable=SC2206
    opt=($d --seed 11)
    S=$T/st
    cd "$T/log" || exit 1
    total=0

    # 1. a fresh log
    lines app.log 1 1000
    run $L sample "${opt[@]}" -v --state "$S" app.log
    total=$((total + $(records_read)))
    cp app.log "$T/ref1/app.log"
    expect_same "$T/out" $L sample "${opt[@]}" "$T/ref1/app.log"

    # 2. it grew, and its last line is still being written
    lines app.log 1001 1500
    printf '2024-05-01T09:09:09 host3 GET /partial' >>app.log
    run $L sample "${opt[@]}" -v --state "$S" app.log
    total=$((total + $(records_read)))
    expect_eq "$d: the records read are the new ones" 500 "$(records_read)"
    grep -q "app.log: 38 bytes without a line end wait for the next run" "$T/err" && pass ||
        fail "$d: the partial line is not said" "$(cat "$T/err")"
    head -n 1500 app.log >"$T/ref1/app.log"
    expect_same "$T/out" $L sample "${opt[@]}" "$T/ref1/app.log"

    # 3. the line is finished, more comes, then logrotate: app.log.1 and a new app.log
    printf ' 1501\n' >>app.log
    lines app.log 1502 1800
    mv app.log app.log.1
    lines app.log 5001 5600
    run $L sample "${opt[@]}" -v --state "$S" app.log.1 app.log
    total=$((total + $(records_read)))
    expect_eq "$d: read after the rotation" $((300 + 600)) "$(records_read)"
    cp app.log.1 "$T/ref1/app.log"
    cp app.log "$T/ref2/app.log"
    expect_same "$T/out" $L sample "${opt[@]}" "$T/ref1/app.log" "$T/ref2/app.log"

    # 4. app.log.1 is compressed; app.log grows
    gzip app.log.1
    lines app.log 5601 5700
    run $L sample "${opt[@]}" -v --state "$S" app.log.1.gz app.log
    total=$((total + $(records_read)))
    expect_eq "$d: read with .1 compressed" 100 "$(records_read)"
    cp app.log "$T/ref2/app.log"
    expect_same "$T/out" $L sample "${opt[@]}" "$T/ref1/app.log" "$T/ref2/app.log"
    # the same again: nothing new, the same sample
    expect_same "$T/out" $L sample "${opt[@]}" --state "$S" app.log.1.gz app.log

    # 5. app.log.1.gz is deleted; app.log grows a lot: only its new bytes are read
    rm app.log.1.gz
    lines app.log 5701 25700
    run $L sample "${opt[@]}" -v --state "$S" app.log
    total=$((total + $(records_read)))
    expect_eq "$d: read after the delete" 20000 "$(records_read)"
    mb=$(bytes_read)
    expect_true "$d: only the new bytes are read ($mb MB)" awk -v m="$mb" 'BEGIN { exit !(m > 0.85 && m < 1.0) }'
    cp app.log "$T/ref2/app.log"
    expect_same "$T/out" $L sample "${opt[@]}" "$T/ref1/app.log" "$T/ref2/app.log"
    expect_eq "$d: each record read once" $((1800 + 20700)) "$total"

    # 6. app.log shrinks (truncated, same start): a new source, said
    head -n 100 app.log >app.tmp && mv app.tmp app.log
    run $L sample "${opt[@]}" --state "$S" app.log
    expect_stderr_match "app.log: a new source: it shrank from [0-9]* to [0-9]* bytes since --state read it"
    cd - >/dev/null || exit 1
done

# --head stops reading early: no note about a line it did not reach the end of.
rm -rf "$T/hd" && mkdir -p "$T/hd" && cd "$T/hd" || exit 1
lines big.log 1 200000
run $L sample --head 3 --state s big.log
expect_stderr_empty
lines big.log 200001 200010
expect_same "$T/out" $L sample --head 3 --state s big.log
cd - >/dev/null || exit 1

# stdin under --state: a finished stream, known by its --source-name and first
# record; the same file later (or its copy piped in again) is not read twice.
rm -rf "$T/in" && mkdir -p "$T/in" && cd "$T/in" || exit 1
lines a.log 1 300
lines b.log 301 500
gzip -c a.log >a.log.gz
for d in "-n 20" "--rate 0.1" "-n 20 --shuffle"; do
    rm -f s
    run_sh "cat a.log | '$L' sample $d --state s --source-name a.log"
    expect_same "$T/out" $L sample $d a.log
    save both $L sample $d -v --state s a.log b.log
    grep -q "sample: 200 records read" "$T/err" && pass || fail "$d: a.log read again" "$(cat "$T/err")"
    expect_same "$T/both" $L sample $d a.log b.log
    expect_same_sh "$T/both" "zcat a.log.gz | '$L' sample $d --state s --source-name a.log - b.log"
done
cd - >/dev/null || exit 1

# Two inputs that are one consumed source: refused, the state kept.
rm -rf "$T/two" && mkdir -p "$T/two" && cd "$T/two" || exit 1
lines x.log 1 50
run $L sample -n 5 --state s x.log
cp x.log x.log.1
cp s s.before
expect_rc 2 $L sample -n 5 --state s x.log x.log.1
expect_stderr_match "x.log and x.log.1 are both the source --state consumed as x.log: give one of them"
expect_true "state kept" cmp -s s s.before
# A compressed file that starts like a consumed source but is not its continuation.
lines x.log 51 60
awk 'NR == 1 || NR > 5' x.log | gzip >y.log.gz
expect_rc 3 $L sample -n 5 --state s y.log.gz
expect_stderr_match "y.log.gz: not the source --state read up to byte [0-9]*: the bytes before it differ"
expect_true "state kept" cmp -s s s.before
cd - >/dev/null || exit 1
finish
