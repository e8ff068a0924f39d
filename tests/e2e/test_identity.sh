#!/usr/bin/env bash
# Source identity (issue 10, item 1; doc/design-issue10.md sections 1-3):
# every input is probed for its first record before the engine starts, and
# two inputs that are one source to ladle (same name stem, same first
# record) are a usage error before anything is written. Pipes give back
# what the probe read: `cat x | ladle` equals `ladle x` byte for byte.
# Since contract 4 a record's key is that of (source id, offset): its fate
# stays when inputs are reordered, added, removed or recompressed.
. "$(dirname "$0")/lib.sh"
L=$LADLE

for i in $(seq 1 3000); do echo "$i,k$((i % 7)),$((i % 5 + 1)),text $i"; done >"$T/x.log"
gzip -c "$T/x.log" >"$T/x.log.gz"
mkdir -p "$T/a" "$T/b"
{ echo started; seq 1 50; } >"$T/a/app.log"
{ echo started; seq 100 170; } >"$T/b/app.log"

# ---- collisions: exit 2, one line, nothing on stdout, for any design
msg='same source to ladle \(name app.log, same first record\): their records would get the same keys. If they are different files, tell them apart with --source-stem path \(ids from the whole path\) or --source-prefix; if one is a copy, give it once'
for design in "--rate 0.5" "-n 5" "--head 3" "--every 2" "--strata 1 -n 4 --format csv"; do
    # shellcheck disable=SC2086
    expect_rc 2 "$L" sample $design "$T/a/app.log" "$T/b/app.log"
    expect_stderr_match "^ladle: .*/a/app.log and .*/b/app.log are the $msg"
    expect_stdout_empty
done
expect_rc 2 "$L" sample --rate 0.5 "$T/x.log" "$T/x.log.gz"
expect_stderr_match "^ladle: .*/x.log and .*/x.log.gz are the same source to ladle \(name x.log,"
expect_stdout_empty
# A dataset: nothing is created either.
expect_rc 2 "$L" split -o "$T/ds" --ratios a=0.5,b=0.5 "$T/a/app.log" "$T/b/app.log"
expect_true "no dataset after a collision" test ! -e "$T/ds"
# stdin twice over is the same source, too: the message names stdin's option.
expect_rc 2 bash -c "cat '$T/a/app.log' | '$L' sample -n 3 - '$T/a/app.log' --source-name app.log"
expect_stderr_match "tell them apart with another --source-name for stdin; if one is a copy"

# ---- telling sources apart
save ab_path "$L" sample -n 200 --source-stem path "$T/a/app.log" "$T/b/app.log"
expect_eq "--source-stem path keeps every record" 123 "$(lines_of "$T/ab_path")"
# One prefix for both keeps them one source (it is for other hosts' files).
expect_rc 2 "$L" sample -n 3 --source-prefix h1/ "$T/a/app.log" "$T/b/app.log"
expect_rc 0 bash -c "cd '$T' && '$L' sample -n 3 --source-stem path a/app.log ./b/app.log"
expect_rc 2 "$L" sample -n 3 --source-stem bogus "$T/x.log"
expect_stderr_match "^ladle: --source-stem: 'bogus' is not name or path"

# ---- inputs without a record have no identity: never a collision
: >"$T/e1"
: >"$T/e2"
printf 'id,k\n' >"$T/h1.csv"
printf 'id,k\n' >"$T/h2.csv"
save empties "$L" sample --rate 1 "$T/e1" "$T/e2" "$T/e1"
expect_eq "several empty inputs are accepted" 00 "$RC$(lines_of "$T/empties")"
save heads "$L" sample --rate 1 --header --format csv "$T/h1.csv" "$T/h2.csv" "$T/h1.csv"
expect_eq "several header-only inputs are accepted" "0id,k" "$RC$(cat "$T/heads")"

# ---- --source-name usage errors
expect_rc 2 "$L" sample -n 3 --source-name x.log "$T/x.log"
expect_stderr_match "^ladle: --source-name names stdin, but no input is stdin \('-'\)"
expect_rc 2 bash -c "'$L' sample -n 3 --source-name a --source-name b <'$T/x.log'"
expect_stderr_match "^ladle: --source-name given twice"

# ---- pipes give back what the probe read: cat x | ladle == ladle x
designs=("--rate 0.05" "-n 25" "-n 25 --shuffle" "--head 7" "--every 97" "--strata 2 -n 12"
    "--strata 2 --per-stratum 3" "--cluster 2 --rate 0.3" "--cluster 2 --clusters 2" "--weight 3 -n 9"
    "--fractions k1=1,*=0.01 --strata 2" "--snowball --seeds $T/seeds --link 2:2 --waves 1")
# (stdin is x.log by --source-name; a FIFO named x.log is x.log by its name)
echo k3 >"$T/seeds"
mkdir -p "$T/fifo"
mkfifo "$T/fifo/x.log"
for t in 1 3; do
    for d in "${designs[@]}"; do
        a="$d -t $t --format csv --seed 5"
        # shellcheck disable=SC2086
        save ref "$L" sample $a "$T/x.log"
        expect_same_sh "$T/ref" "cat '$T/x.log' | '$L' sample $a --source-name x.log"
        expect_same_sh "$T/ref" "cat '$T/x.log.gz' | '$L' sample $a --source-name x.log"
        expect_same_sh "$T/ref" "cat '$T/x.log' >'$T/fifo/x.log' & '$L' sample $a '$T/fifo/x.log'"
    done
done
# Small chunks: the probe's bytes span many chunks of the engine.
save ref "$L" sample -n 30 --chunk-size 1K "$T/x.log"
expect_same_sh "$T/ref" "cat '$T/x.log' | '$L' sample -n 30 --chunk-size 1K --source-name x.log"
# A header on stdin, and a stream shorter than the magic bytes.
save ref "$L" sample -n 30 --header --format csv "$T/x.log"
expect_same_sh "$T/ref" "cat '$T/x.log' | '$L' sample -n 30 --header --format csv --source-name x.log"
printf 'ab' >"$T/tiny"
expect_same_sh <(printf 'ab\n') "printf ab | '$L' sample --rate 1"

# ---- contract 4: a record's fate follows it (each check failed under contract 3)
for f in A B C; do for i in $(seq 1 2000); do echo "$f $i"; done >"$T/$f.log"; done
zstd -q -c "$T/B.log" >"$T/B.log.zst"
gzip -c "$T/B.log" >"$T/B.log.gz"
cd "$T" || exit 1
# fate NAME PATTERN ARGS...: the records matching PATTERN that `ladle sample ARGS`
# writes, in output order, into $T/NAME.
fate() {
    local name=$1 pat=$2
    shift 2
    run "$L" sample "$@"
    [ "$RC" = 0 ] || fail "$LAST_CMD" "exit $RC" "stderr: $(head -c 300 "$T/err")"
    grep -- "$pat" "$T/out" >"$T/$name" || true
}
same_fate() { # WHAT FILE_A FILE_B
    if [ -s "$T/$2" ] && cmp -s "$T/$2" "$T/$3"; then pass; else
        fail "$1: the records differ" "$(show_diff "$T/$2" "$T/$3")"
    fi
}
for d in "--rate 0.1" "-n 9999 --shuffle"; do
    # shellcheck disable=SC2086
    {
        fate abc '^B ' $d A.log B.log C.log
        fate cab '^B ' $d C.log A.log B.log
        same_fate "reorder ($d)" abc cab
        fate bc '^B ' $d B.log C.log
        same_fate "add in front ($d)" bc abc
        fate abc_c '^C ' $d A.log B.log C.log
        fate ac_c '^C ' $d A.log C.log
        same_fate "remove ($d)" abc_c ac_c
        fate zst '^B ' $d B.log.zst A.log
        fate gz '^B ' $d C.log A.log B.log.gz
        same_fate "recompressed, moved ($d)" abc zst
        same_fate "recompressed, moved ($d)" abc gz
    }
done
# x.log, x.log.zst and x.log.gz alone: byte-identical, and equal to x's records among others
save b_plain "$L" sample --rate 0.1 B.log
for v in B.log.zst B.log.gz; do expect_same "$T/b_plain" "$L" sample --rate 0.1 "$v"; done
fate b_among '^B ' --rate 0.1 A.log B.log.gz
same_fate "x alone and x among others" b_plain b_among
# stdin with --source-name is the file
save b_zst_c "$L" sample --rate 0.1 C.log B.log.zst
expect_same_sh "$T/b_zst_c" "zstd -dc B.log.zst | '$L' sample --rate 0.1 --source-name B.log C.log -"
expect_same_sh "$T/b_zst_c" "zstd -dc B.log.zst | '$L' sample --rate 0.1 --source-name B.log.zst C.log -"
# Two files with equal content under different names are two sources: other keys.
cp B.log P.log
cp B.log Q.log
save p_shuf "$L" sample -n 9999 --shuffle P.log
save q_shuf "$L" sample -n 9999 --shuffle Q.log
expect_true "equal content, other names: other keys (--shuffle order)" \
    sh -c '! cmp -s p_shuf q_shuf && [ -s p_shuf ]'
# A hash split without --by: a file added in front moves no old record.
run "$L" split -o ds_bc --ratios a=0.5,b=0.5 B.log C.log
run "$L" split -o ds_abc --ratios a=0.5,b=0.5 A.log B.log C.log
zstd -dcq ds_bc/a/*.zst | grep -v '^A ' >split_bc
zstd -dcq ds_abc/a/*.zst | grep -v '^A ' >split_abc
same_fate "hash split, a file added in front" split_bc split_abc

finish
