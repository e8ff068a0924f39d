#!/usr/bin/env bash
# Source identity (issue 10, item 1; doc/design-issue10.md sections 1-3):
# every input is probed for its first record before the engine starts, and
# two inputs that are one source to ladle (same name stem, same first
# record) are a usage error before anything is written. Pipes give back
# what the probe read: `cat x | ladle` equals `ladle x` byte for byte.
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
echo k3 >"$T/seeds"
for t in 1 3; do
    for d in "${designs[@]}"; do
        # shellcheck disable=SC2086
        save ref "$L" sample $d -t "$t" --format csv --seed 5 "$T/x.log"
        expect_same_sh "$T/ref" "cat '$T/x.log' | '$L' sample $d -t $t --format csv --seed 5"
        expect_same_sh "$T/ref" "cat '$T/x.log.gz' | '$L' sample $d -t $t --format csv --seed 5"
        expect_same_sh "$T/ref" "'$L' sample $d -t $t --format csv --seed 5 <(cat '$T/x.log')"
    done
done
# Small chunks: the probe's bytes span many chunks of the engine.
save ref "$L" sample -n 30 --chunk-size 1K "$T/x.log"
expect_same_sh "$T/ref" "cat '$T/x.log' | '$L' sample -n 30 --chunk-size 1K"
# A header on stdin, and a stream shorter than the magic bytes.
save ref "$L" sample -n 30 --header --format csv "$T/x.log"
expect_same_sh "$T/ref" "cat '$T/x.log' | '$L' sample -n 30 --header --format csv"
printf 'ab' >"$T/tiny"
expect_same_sh <(printf 'ab\n') "printf ab | '$L' sample --rate 1"

finish
