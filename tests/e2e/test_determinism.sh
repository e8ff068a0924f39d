#!/usr/bin/env bash
# The reproducibility contract (ladle(1), REPRODUCIBILITY): the same command
# writes the same bytes for any --threads and --chunk-size; the seed decides
# the sample; --seed random says which seed it drew; samples of one seed nest;
# appending to a log keeps the earlier records' fate.
# Under LADLE_TEST_SCALE=smoke (sanitizer builds): a.log at -t 3 only, with
# 4K and 1M chunks (13-byte chunks take ~25 s a run under TSan), the .zst at
# -t 4, s.log at -t 1 with 1-byte chunks and -t 3 with 13 and 4K; two seeds
# of the four.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE

make_log "$T/a.log" 6000 21    # ~1.3 MB: more than one default chunk
make_log "$T/s.log" 300 22     # ~60 KB, for --chunk-size 1
have_zstd=0
if command -v zstd >/dev/null; then
    have_zstd=1
    zstd -q -c "$T/a.log" >"$T/a.log.zst" # one source: the stem drops .zst
fi

designs=("--rate 0.1" "-n 100" "--head 50" "--every 37"
    "--rate 0.1 --shuffle" "-n 100 --shuffle" "--head 50 --shuffle")
for d in "${designs[@]}"; do
    # shellcheck disable=SC2086
    save ref "$L" sample $d -t 1 "$T/a.log"
    [ -s "$T/ref" ] || fail "$d: empty sample on a.log"
    ref_sha=$(sha_of "$T/ref")
    for t in $(reps 1 2 3 4 -- 3); do
        for cs in $(reps 13 4K 1M -- 4K 1M); do
            # shellcheck disable=SC2086
            run "$L" sample $d -t "$t" --chunk-size "$cs" "$T/a.log"
            if [ "$RC" = 0 ] && [ "$(sha_of "$T/out")" = "$ref_sha" ]; then pass; else
                expect_output_file "$T/ref"
            fi
        done
    done
    if [ "$have_zstd" = 1 ]; then
        for t in $(reps 1 4 -- 4); do
            # shellcheck disable=SC2086
            expect_same "$T/ref" "$L" sample $d -t "$t" --chunk-size 4K "$T/a.log.zst"
        done
    fi
    # the small file, down to one-byte chunks
    # shellcheck disable=SC2086
    save sref "$L" sample $d -t 1 "$T/s.log"
    for tc in $(reps 1:1 1:2 1:13 1:4K 3:1 3:2 3:13 3:4K -- 1:1 3:13 3:4K); do
        t=${tc%:*} cs=${tc#*:}
        # shellcheck disable=SC2086
        expect_same "$T/sref" "$L" sample $d -t "$t" --chunk-size "$cs" "$T/s.log"
    done
    # the default seed is 0
    # shellcheck disable=SC2086
    expect_same "$T/ref" "$L" sample $d --seed 0 "$T/a.log"
done

# what the designs promise about their output
save n100 "$L" sample -n 100 "$T/a.log"
expect_eq "-n 100 writes 100 records" 100 "$(lines_of "$T/n100")"
save n100s "$L" sample -n 100 --shuffle "$T/a.log"
expect_eq "-n 100 --shuffle is the same set as -n 100" "$(sort "$T/n100" | sha256sum)" \
    "$(sort "$T/n100s" | sha256sum)"
if cmp -s "$T/n100" "$T/n100s"; then fail "-n 100 --shuffle is in input order"; else pass; fi
save r10 "$L" sample --rate 0.1 "$T/a.log"
save r10s "$L" sample --rate 0.1 --shuffle "$T/a.log"
expect_eq "--rate 0.1 --shuffle is the same set as --rate 0.1" "$(sort "$T/r10" | sha256sum)" \
    "$(sort "$T/r10s" | sha256sum)"
save h50s "$L" sample --head 50 --shuffle "$T/a.log"
expect_eq "--head 50 --shuffle holds the first 50 records" "$(head -n 50 "$T/a.log" | sort | sha256sum)" \
    "$(sort "$T/h50s" | sha256sum)"
# input order: every sampled line appears in a.log in the same order
expect_true "-n 100 is a subsequence of the input" is_subsequence "$T/n100" "$T/a.log"
expect_true "--rate 0.1 is a subsequence of the input" is_subsequence "$T/r10" "$T/a.log"
if is_subsequence "$T/n100s" "$T/a.log"; then fail "-n 100 --shuffle is in input order"; else pass; fi

# samples of one seed nest: -n 5 within -n 50 within any --rate sample holding >= 5
save n5 "$L" sample -n 5 --seed 9 "$T/a.log"
save n50 "$L" sample -n 50 --seed 9 "$T/a.log"
save r2 "$L" sample --rate 0.02 --seed 9 "$T/a.log"
expect_eq "-n 5 is within -n 50 (same seed)" 5 "$(grep -Fxc -f "$T/n5" "$T/n50")"
expect_eq "-n 5 is within --rate 0.02 (same seed)" 5 "$(grep -Fxc -f "$T/n5" "$T/r2")"
save n5s "$L" sample -n 5 --seed 9 --shuffle "$T/a.log"
save n50s "$L" sample -n 50 --seed 9 --shuffle "$T/a.log"
expect_eq "--shuffle: -n 5 is the head of -n 50 (key order)" "$(cat "$T/n5s")" "$(head -n 5 "$T/n50s")"

# appending to a log leaves the fate of its earlier records unchanged
make_log "$T/more.log" 800 23
mkdir -p "$T/grown" # the same name: the same source, grown
cat "$T/a.log" "$T/more.log" >"$T/grown/a.log"
save r_grown "$L" sample --rate 0.1 "$T/grown/a.log"
expect_eq "--rate 0.1 on a grown log starts with the sample of the old log" "$(cat "$T/r10")" \
    "$(head -n "$(lines_of "$T/r10")" "$T/r_grown")"

# different seeds, different samples
mapfile -t seeds < <(reps 1 2 3 18446744073709551615 -- 1 18446744073709551615)
for d in "--rate 0.1" "-n 100" "-n 100 --shuffle" "--every 37"; do
    declare -A seen=()
    distinct=0
    for s in "${seeds[@]}"; do
        # shellcheck disable=SC2086
        save seeded "$L" sample $d --seed "$s" "$T/a.log"
        h=$(sha_of "$T/seeded")
        [ -z "${seen[$h]:-}" ] && distinct=$((distinct + 1))
        seen[$h]=1
    done
    expect_eq "$d: seeds ${seeds[*]} give ${#seeds[@]} different samples" "${#seeds[@]}" "$distinct"
    unset seen
done
# --shuffle: a different seed reorders the very same --head records
save h1 "$L" sample --head 50 --shuffle --seed 1 "$T/a.log"
save h2 "$L" sample --head 50 --shuffle --seed 2 "$T/a.log"
if cmp -s "$T/h1" "$T/h2"; then fail "--head 50 --shuffle: seeds 1 and 2 gave the same order"; else pass; fi
# --head ignores the seed (without --shuffle)
save hs "$L" sample --head 50 --seed 77 "$T/a.log"
expect_eq "--head 50 does not depend on the seed" "$(head -n 50 "$T/a.log")" "$(cat "$T/hs")"

# --seed random: says the seed; that seed reproduces the run
for d in "-n 20" "--rate 0.05 --shuffle"; do
    # shellcheck disable=SC2086
    run "$L" sample $d --seed random -t 2 "$T/a.log"
    expect_eq "$d --seed random: exit 0" 0 "$RC"
    expect_stderr_match '^ladle: seed [0-9]+$'
    seed=$(sed -n 's/^ladle: seed \([0-9]*\)$/\1/p' "$T/err")
    cp "$T/out" "$T/random_out"
    if [ -n "$seed" ]; then
        # shellcheck disable=SC2086
        expect_same "$T/random_out" "$L" sample $d --seed "$seed" -t 3 --chunk-size 4K "$T/a.log"
        expect_stderr_empty
    fi
done
run "$L" sample -n 1 --seed random "$T/s.log"
s1=$(sed -n 's/^ladle: seed //p' "$T/err")
run "$L" sample -n 1 --seed random "$T/s.log"
s2=$(sed -n 's/^ladle: seed //p' "$T/err")
if [ -n "$s1" ] && [ "$s1" != "$s2" ]; then pass; else
    fail "--seed random twice drew the same seed [$s1] [$s2]"
fi

finish
