#!/usr/bin/env bash
# One content, every form: plain, zstd, gzip, concatenated frames and
# members, stdin (none and "-"), misleading names, several inputs, both read
# engines. ladle(1): the output is byte-identical whatever the compression,
# the file name or the way the bytes arrive.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
command -v zstd >/dev/null || skip "zstd not installed"
command -v gzip >/dev/null || skip "gzip not installed"

make_log "$T/a.log" 8000 11       # ~1.7 MB: two default (1M) chunks
make_log "$T/b.log" 1500 12 tsv
make_log "$T/c.log" 700 13
size=$(wc -c <"$T/a.log")

zstd -q -3 "$T/a.log" -o "$T/a.zst"
gzip -c "$T/a.log" >"$T/a.gz"       # with FNAME
cp "$T/a.zst" "$T/a.log.zst"        # the source a.log, compressed
gzip -9 -n -c "$T/a.log" >"$T/a9n.gz"
# cut mid-record at odd offsets: frames and members do not follow records
cut1=$((size / 3 + 17))
cut2=$((2 * size / 3 + 5))
head -c "$cut1" "$T/a.log" >"$T/p1"
head -c "$cut2" "$T/a.log" | tail -c +$((cut1 + 1)) >"$T/p2"
tail -c +$((cut2 + 1)) "$T/a.log" >"$T/p3"
cat "$T/p1" "$T/p2" "$T/p3" | cmp -s - "$T/a.log" || fail "test setup: split parts do not rebuild a.log"
(zstd -q -c "$T/p1"; zstd -q -19 -c "$T/p2"; zstd -q -1 -c "$T/p3") >"$T/frames3.zst"
cat "$T/p2" "$T/p3" >"$T/p23"
(zstd -q -c "$T/p1"; zstd -q -c "$T/p23") >"$T/frames.zst"
# an empty frame and a skippable frame (magic 0x184D2A50, 4 bytes) in between
(zstd -q -c "$T/p1"; zstd -q -c </dev/null; printf '\x50\x2a\x4d\x18\x04\x00\x00\x00SKIP'
    zstd -q -c "$T/p23") >"$T/frames-odd.zst"
(printf '\x5e\x2a\x4d\x18\x03\x00\x00\x00abc'; cat "$T/a.zst") >"$T/skip-first.zst"
(gzip -c "$T/p1"; gzip -1 -c "$T/p2"; gzip -c "$T/p3") >"$T/members.gz"
(gzip -c "$T/p1"; gzip -c </dev/null; gzip -c "$T/p23") >"$T/members-empty.gz"
# a gzip header with FEXTRA, FNAME and FCOMMENT (flags 0x1c)
(printf '\x1f\x8b\x08\x1c\x00\x00\x00\x00\x00\x03\x04\x00ABCDname.log\x00a comment\x00'
    gzip -n -c "$T/a.log" | tail -c +11) >"$T/fields.gz"
gzip -t "$T/fields.gz" 2>/dev/null || fail "test setup: fields.gz is not valid gzip"
# the content decides, never the name
cp "$T/a.zst" "$T/data.txt"
cp "$T/a.gz" "$T/data.log"
cp "$T/a.log" "$T/x.gz"
cp "$T/a.log" "$T/x.zst"
cp "$T/a.gz" "$T/y.zst"
cp "$T/a.zst" "$T/y.gz"

# --rate 1 decodes every form to exactly the plain bytes
for f in a.zst a.gz a9n.gz frames3.zst frames.zst frames-odd.zst skip-first.zst members.gz \
    members-empty.gz fields.gz data.txt data.log x.gz x.zst y.zst y.gz; do
    expect_same "$T/a.log" "$L" sample --rate 1 "$T/$f"
done

# A record's key comes from its source: the name stem and the first record
# (contract 4). Each form is read as a.log, through a link in a folder of
# its own, so that only the bytes differ; stdin is named with --source-name.
as_a_log() {
    mkdir -p "$T/as/$1"
    ln -sf "$T/$1" "$T/as/$1/a.log"
    printf '%s' "$T/as/$1/a.log"
}

designs=("--rate 0.1" "-n 100" "--head 7")
for d in "${designs[@]}"; do
    # shellcheck disable=SC2086
    save ref "$L" sample $d "$T/a.log"
    n=$(lines_of "$T/ref")
    case $d in
    "-n 100") expect_eq "$d on a.log: count" 100 "$n" ;;
    "--head 7")
        head -n 7 "$T/a.log" >"$T/head7"
        expect_true "--head 7 is the first 7 lines" cmp -s "$T/head7" "$T/ref"
        ;;
    *) expect_true "$d on a.log: a plausible count ($n of 8000)" test "$n" -gt 600 -a "$n" -lt 1000 ;;
    esac
    for f in a.zst a.gz a9n.gz frames3.zst frames.zst frames-odd.zst skip-first.zst members.gz \
        members-empty.gz fields.gz data.txt data.log x.gz x.zst y.zst y.gz; do
        # shellcheck disable=SC2086
        expect_same "$T/ref" "$L" sample $d "$(as_a_log "$f")"
    done
    for f in a.log a.zst a.gz frames.zst members.gz; do
        expect_same_sh "$T/ref" "{ cat '$T/$f'; true; } | '$L' sample $d --source-name a.log"
        expect_same_sh "$T/ref" "{ cat '$T/$f'; true; } | '$L' sample $d --source-name a.log -"
        expect_same_sh "$T/ref" "'$L' sample $d --source-name a.log - <'$T/$f'"
    done
    # a FIFO is a pipe too
    mkdir -p "$T/fifo"
    rm -f "$T/fifo/a.log"
    mkfifo "$T/fifo/a.log"
    cat "$T/a.gz" >"$T/fifo/a.log" &
    E2E_PIDS+=($!)
    # shellcheck disable=SC2086
    expect_same "$T/ref" "$L" sample $d "$T/fifo/a.log"
    for io in pread uring auto; do
        if [ "$io" = uring ] && [ "${URING_OK:-}" = "" ]; then
            if "$L" sample -v --io auto --head 1 "$T/a.log" 2>&1 >/dev/null | grep -q 'io_uring);' &&
                "$L" sample --io uring --head 1 "$T/a.log" >/dev/null 2>&1; then
                URING_OK=1
            else
                URING_OK=0
                note "io_uring is refused here: --io uring not compared"
            fi
        fi
        [ "$io" = uring ] && [ "$URING_OK" = 0 ] && continue
        # shellcheck disable=SC2086
        expect_same "$T/ref" "$L" sample $d --io "$io" "$T/a.log"
        # shellcheck disable=SC2086
        expect_same "$T/ref" "$L" sample $d --io "$io" "$T/a.log.zst"
    done
    # shellcheck disable=SC2086
    expect_same "$T/ref" "$L" sample $d --drop-cache "$T/a.log"
    # options and files in any order
    # shellcheck disable=SC2086
    expect_same "$T/ref" "$L" sample "$T/a.log" $d
done

# -v names the read engine it used
if [ "${URING_OK:-0}" = 1 ]; then
    run "$L" sample -v --io uring --head 1 "$T/a.log"
    expect_stderr_match '^ladle: sample: .*, io_uring\); 1 written$'
fi
run "$L" sample -v --io pread --head 1 "$T/a.log"
expect_stderr_match '^ladle: sample: .*, pread/read\); 1 written$'

# several inputs: argument order, any mix of forms, stdin as one of them
cat "$T/a.log" "$T/b.log" "$T/c.log" >"$T/abc"
cat "$T/c.log" "$T/a.log" "$T/b.log" >"$T/cab"
expect_same "$T/abc" "$L" sample --rate 1 "$T/a.log" "$T/b.log" "$T/c.log"
expect_same "$T/cab" "$L" sample --rate 1 "$T/c.log" "$T/a.log" "$T/b.log"
gzip -c "$T/b.log" >"$T/b.gz"
zstd -q -c "$T/c.log" >"$T/c.zst"
# the stems of a.log, b.log and c.log
gzip -c "$T/b.log" >"$T/b.log.gz"
zstd -q -c "$T/c.log" >"$T/c.log.zst"
expect_same "$T/abc" "$L" sample --rate 1 "$T/a.zst" "$T/b.gz" "$T/c.zst"
expect_same_sh "$T/abc" "'$L' sample --rate 1 '$T/a.gz' - '$T/c.log' <'$T/b.log'"
expect_same_sh "$T/abc" "{ cat '$T/b.gz'; true; } | '$L' sample --rate 1 '$T/a.log' - '$T/c.zst'"
head -n 8100 "$T/abc" >"$T/abc8100"
expect_same "$T/abc8100" "$L" sample --head 8100 "$T/a.zst" "$T/b.gz" "$T/c.log"
for d in "--rate 0.1" "-n 100" "--head 7" "--head 9000" "-n 300 --shuffle" "--rate 0.05 --shuffle"; do
    # shellcheck disable=SC2086
    save ref "$L" sample $d "$T/a.log" "$T/b.log" "$T/c.log"
    # shellcheck disable=SC2086
    expect_same "$T/ref" "$L" sample $d "$T/a.log.zst" "$T/b.log.gz" "$T/c.log.zst"
    expect_same_sh "$T/ref" "{ cat '$T/b.gz'; true; } | '$L' sample $d --source-name b.log \
        '$(as_a_log members.gz)' - '$T/c.log.zst'"
done
# the same bytes as one input or three are different sources
save one "$L" sample -n 100 "$T/abc"
save three "$L" sample -n 100 "$T/a.log" "$T/b.log" "$T/c.log"
if cmp -s "$T/one" "$T/three"; then
    fail "-n 100: one concatenated input gave the same sample as three inputs (sources ignored?)"
else pass; fi
# the same file twice is two inputs: --rate 1 writes it twice
cat "$T/c.log" "$T/c.log" >"$T/cc"
expect_same "$T/cc" "$L" sample --rate 1 "$T/c.log" "$T/c.zst"
# "--" ends the options: a file named -n
cp "$T/c.log" "$T/-n"
cd "$T" || exit 1
run "$L" sample --rate 1 -- -n
expect_output_file "$T/c.log"
cd - >/dev/null || exit 1

finish
