#!/usr/bin/env bash
# One input read by every worker (engine/segments.c): a plain file, a
# multi-frame zstd file (frames that declare their sizes, and pzstd's that
# do not) give byte-identical outputs with --threads 1 (the serial reader)
# and with several threads, for every design, at chunk sizes that cut
# records and frames anywhere; odd bytes (no final newline, CRLF, empty
# lines, NUL bytes, records longer than a chunk, a header line longer than
# a chunk) included; errors (a damaged frame in the middle, --max-record)
# are the serial path's, word for word.
# Under LADLE_TEST_SCALE=smoke (sanitizer builds): each comparison at -t 3
# --chunk-size 4K and -t 4 (not -t 2 and 3 at 5 B, 4K, 64K: a 5-byte chunk
# run takes a minute under TSan), one thread count for the error cases.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE

make_log "$T/a.jsonl" 6000 31
make_log "$T/a.tsv" 6000 32 tsv
# Odd bytes: CRLF lines, empty lines, a NUL, a 300 KB record, no final newline.
{
    head -c 200000 "$T/a.jsonl"
    printf 'crlf line\r\n\n\nwith\0nul\n'
    head -c 300000 /dev/zero | tr '\0' 'x'
    printf '\n'
    tail -c 150000 "$T/a.jsonl"
    printf 'last line without its end'
} >"$T/odd.txt"
{
    printf 'col_%d\t' $(seq 1 9000)
    printf 'end\n'
    cat "$T/a.tsv"
} >"$T/wide.tsv" # a --header line of ~90 KB

# Multi-frame zstd: frames with their sizes (one per 500 lines) and pzstd's.
zframes() { # zframes IN OUT
    local d="$T/frames.d"
    rm -rf "$d" && mkdir "$d" && split -l 500 -a 4 "$1" "$d/p" && cat "$d"/p* | cmp -s - "$1" || return 1
    for f in "$d"/p*; do zstd -q -c "$f"; done >"$2"
}
zframes "$T/a.jsonl" "$T/a.frames.zst"
zframes "$T/a.tsv" "$T/a.tsv.frames.zst"
zframes "$T/odd.txt" "$T/odd.frames.zst"
have_pzstd=0
if command -v pzstd >/dev/null; then
    have_pzstd=1
    pzstd -q -p 2 -f "$T/a.jsonl" -o "$T/a.pz.zst"
    pzstd -q -p 2 -f "$T/odd.txt" -o "$T/odd.pz.zst"
fi

# same_all CMD...: -t 1 is the reference; -t 2..4 at many chunk sizes agree.
same_all() {
    save ref "$L" "$@" -t 1
    for t in $(reps 2 3 -- 3); do
        for c in $(reps 5 4K 64K -- 4K); do
            expect_same "$T/ref" "$L" "$@" -t "$t" --chunk-size "$c"
        done
    done
    expect_same "$T/ref" "$L" "$@" -t 4
}

# gzip with an index (checkpoints every 64 KiB): one member, and several
# (each member a few hundred lines, so checkpoints fall at member starts too).
gzip -6 -c -n "$T/a.jsonl" >"$T/a.jsonl.gz"
gzip -1 -c -n "$T/odd.txt" >"$T/odd.gz"
for f in "$T"/frames.d/p*; do gzip -c -n "$f"; done >"$T/odd.members.gz"
expect_rc 0 "$L" index --span 64K "$T/a.jsonl.gz" "$T/odd.gz" "$T/odd.members.gz"

inputs="$T/a.jsonl $T/a.frames.zst $T/odd.txt $T/odd.frames.zst"
inputs="$inputs $T/a.jsonl.gz $T/odd.gz $T/odd.members.gz"
[ $have_pzstd = 1 ] && inputs="$inputs $T/a.pz.zst $T/odd.pz.zst"
for f in $inputs; do
    same_all sample --rate 0.2 --seed 4 "$f"
    same_all sample -n 40 --seed 5 "$f"
    same_all sample --every 13 "$f"
    same_all sample --rate 1 "$f"
done
# stats: the same counts (its time line aside).
for f in "$T/a.jsonl" "$T/a.frames.zst" "$T/odd.txt"; do
    run_sh "$(q "$L") stats -t 1 $(q "$f") | grep -v '^time'"
    cp "$T/out" "$T/ref"
    for t in $(reps 2 3 -- 3); do
        expect_same_sh "$T/ref" "$(q "$L") stats -t $t --chunk-size 4K $(q "$f") | grep -v '^time'"
    done
done
for f in "$T/a.tsv" "$T/a.tsv.frames.zst"; do
    same_all sample --format tsv --cluster 3 --rate 0.3 "$f"
    same_all sample --format tsv --weight 4 -n 50 --emit-weight "$f"
    same_all sample --format tsv --strata 2 -n 30 "$f"
done
same_all sample --header --format tsv --rate 0.5 "$T/wide.tsv"
same_all sample --rate 0.3 "$T/a.jsonl" "$T/a.frames.zst" "$T/odd.txt"

# A split, and its manifest, are the same whichever reader.
for t in 1 3; do
    expect_rc 0 "$L" split -o "$T/ds$t" --ratios train=0.8,test=0.2 --chunk-size 3K -t $t \
        "$T/a.frames.zst" "$T/a.jsonl"
done
expect_true "split: -t 1 and -t 3 write the same shards" diff -r -x manifest.json -x README.md "$T/ds1" "$T/ds3"
# the manifests differ only in the command line
no_command() { sed '/"command": \[/,/\]/d' "$1"; }
expect_true "split: -t 1 and -t 3 write the same manifest" \
    cmp -s <(no_command "$T/ds1/manifest.json") <(no_command "$T/ds3/manifest.json")

# A stale index (the file rewritten, same name) is said and not used: the
# output is the new file's.
gzip -9 -c -n "$T/a.tsv" >"$T/a.jsonl.gz"
save ref "$L" sample --rate 0.3 -t 1 "$T/a.jsonl.gz"
expect_same "$T/ref" "$L" sample --rate 0.3 -t 3 "$T/a.jsonl.gz"
expect_true "a stale index is said" grep -q "index is stale" "$T/err"

# A damaged deflate stream under a valid index: an input error, as serially.
gzip -1 -c -n "$T/a.jsonl" >"$T/bad.gz"
expect_rc 0 "$L" index --span 64K "$T/bad.gz"
size=$(stat -c %s "$T/bad.gz")
printf '\x55\x55\x55\x55' | dd of="$T/bad.gz" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
expect_rc 3 "$L" sample --rate 0.5 -t 3 --chunk-size 4K "$T/bad.gz"

# --max-record: the same message, from either reader.
expect_rc 3 "$L" sample --rate 1 --max-record 1000 -t 1 "$T/odd.txt"
err1=$(cat "$T/err")
for t in $(reps 2 3 -- 3); do
    expect_rc 3 "$L" sample --rate 1 --max-record 1000 -t "$t" --chunk-size 4K "$T/odd.txt"
    expect_eq "--max-record -t $t: the serial path's message" "$err1" "$(cat "$T/err")"
done

# A damaged frame in the middle: the serial path's message, the same exit.
cp "$T/a.frames.zst" "$T/bad.zst"
size=$(stat -c %s "$T/bad.zst")
printf '\x55\x55\x55\x55\x55\x55\x55\x55' | dd of="$T/bad.zst" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
run "$L" sample --rate 0.5 -t 1 "$T/bad.zst"
rc1=$RC
err1=$(cat "$T/err")
expect_true "damaged frame: an error (-t 1)" test "$rc1" != 0
for t in $(reps 2 4 -- 4); do
    expect_rc "$rc1" "$L" sample --rate 0.5 -t "$t" --chunk-size 4K "$T/bad.zst"
    expect_eq "damaged frame -t $t: the serial path's message" "$err1" "$(cat "$T/err")"
done

# Frames the workers decode whole (range_codec.c's fast path) fall back to
# the serial codec on anything wrong, so the message is the serial one:
# a checksum that does not match, a frame shorter than its header declares,
# a window over the limit, a file cut short. Each in a middle frame.
mkdir "$T/fast"
for f in "$T"/frames.d/p*; do zstd -q -c "$f" >"$f.zst"; done
set -- "$T"/frames.d/p*.zst
mid=$(($# / 2))
fast_case() { # NAME FILE [OPTION...]: -t 1's rc (FAST_RC) and message, from -t 2 and 4 too
    local name=$1 f=$2 err1
    shift 2
    run "$L" sample --rate 0.5 -t 1 "$@" "$f"
    FAST_RC=$RC
    err1=$(cat "$T/err")
    for t in $(reps 2 4 -- 4); do
        expect_rc "$FAST_RC" "$L" sample --rate 0.5 -t "$t" --chunk-size "${CHUNK:-4K}" "$@" "$f"
        expect_eq "$name -t $t: the serial path's message" "$err1" "$(cat "$T/err")"
    done
}
frames_with() { # OUT N REPLACEMENT: the frames, frame N replaced
    local out=$1 n=$2 rep=$3 i=0
    : >"$out"
    for f in "$T"/frames.d/p*.zst; do
        i=$((i + 1))
        if [ $i = "$n" ]; then cat "$rep"; else cat "$f"; fi >>"$out"
    done
}
# a checksum byte flipped (the frame's last)
cp "${!mid}" "$T/fast/sum.zst"
last=$(($(stat -c %s "$T/fast/sum.zst") - 1))
printf "\\$(printf %03o $((0x$(od -An -tx1 -j $last -N1 "$T/fast/sum.zst" | tr -d ' ') ^ 1)))" |
    dd of="$T/fast/sum.zst" bs=1 seek=$last conv=notrunc 2>/dev/null
frames_with "$T/fast/sum.frames.zst" $mid "$T/fast/sum.zst"
fast_case checksum "$T/fast/sum.frames.zst"
expect_eq "a flipped checksum: an input error" 3 "$FAST_RC"
# a frame that declares 61,422 bytes and holds none (tests/fuzz found it)
printf '\x28\xb5\x2f\xfd\x60\xee\xee\x01\x00\x00' >"$T/fast/empty.zst"
frames_with "$T/fast/empty.frames.zst" $mid "$T/fast/empty.zst"
fast_case "content size" "$T/fast/empty.frames.zst"
expect_eq "a frame shorter than declared: an input error" 3 "$FAST_RC"
# a 256 MiB window (no content size: zstd keeps the window it was given),
# in the first frame
zstd -q -c --long=28 <"$T/frames.d/paaaa" >"$T/fast/long.zst"
frames_with "$T/fast/long.frames.zst" 1 "$T/fast/long.zst" # the first: no other segment reads into it
fast_case window "$T/fast/long.frames.zst"
expect_eq "a window over 128 MiB: an input error" 3 "$FAST_RC"
fast_case "window --long" "$T/fast/long.frames.zst" --long
expect_eq "a window over 128 MiB, --long: read" 0 "$FAST_RC"
# an RLE block of 915,318 bytes, over the 128 KiB a block may hold (libzstd's
# one-shot decoder takes it, its streaming decoder does not), in a frame
# that declares that size, among small frames: with 64 KiB segments only
# the segment it lies inside decodes it
printf '\x28\xb5\x2f\xfd\xa0\x76\xf7\x0d\x00\xb3\xbb\x6f\x78' >"$T/fast/rle.zst"
mkdir "$T/small.d" && split -l 20 -a 4 "$T/a.jsonl" "$T/small.d/p"
i=0
for f in "$T"/small.d/p*; do
    i=$((i + 1))
    [ $i = 150 ] && cat "$T/fast/rle.zst"
    zstd -q -c "$f"
done >"$T/fast/rle.frames.zst"
CHUNK=64K fast_case "RLE block" "$T/fast/rle.frames.zst"
expect_eq "an RLE block over the limit: an input error" 3 "$FAST_RC"
# a compressed block of 0 bytes before a frame's last block (tests/fuzz
# found it): the serial codec refuses it, libzstd's buffered path read it as
# empty, so -t 2 took the file (exit 0) that -t 1 refused. Frames of 500
# short lines, the bad one in the middle, 64 KiB segments.
mkdir "$T/eb.d"
seq 1 6000 | awk '{printf "{\"id\":%d,\"user\":\"u%d\",\"msg\":\"text %d\"}\n", $1, $1 % 97, $1 * 7}' |
    split -l 500 -a 4 - "$T/eb.d/p"
printf '\x28\xb5\x2f\xfd\x00\x00\x00\x00\x00\x04\x00\x00\x53\x00\x00\x0a' >"$T/fast/emptyblock.zst"
i=0
for f in "$T"/eb.d/p*; do
    i=$((i + 1))
    if [ $i = 6 ]; then cat "$T/fast/emptyblock.zst"; else zstd -q -c "$f"; fi
done >"$T/fast/emptyblock.frames.zst"
CHUNK=64K fast_case "a compressed block of 0 bytes" "$T/fast/emptyblock.frames.zst"
expect_eq "a compressed block of 0 bytes mid-frame: an input error" 3 "$FAST_RC"
expect_stderr_match 'corrupt zstd data: a compressed block of 0 bytes \(at compressed byte [0-9]+\)$'
# cut inside the last frame
cat "$T"/frames.d/p*.zst | head -c -7 >"$T/fast/cut.zst"
fast_case cut "$T/fast/cut.zst"
expect_eq "a cut file: an input error" 3 "$FAST_RC"

finish
