#!/usr/bin/env bash
# Records are bytes up to and including '\n' (ladle(1), INPUT): CR, NUL and
# empty lines pass through; a last line gains its newline; long records cross
# chunks; --max-record bounds them, with the offset in the message.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
have_zstd=0
command -v zstd >/dev/null && have_zstd=1

# check_bytes WHAT INPUT_FILE EXPECTED_FILE [OPTS...]: --rate 1 (and -n big,
# and --head big) on INPUT writes EXPECTED, also zstd/gzip-compressed and in
# tiny chunks.
check_bytes() {
    local what=$1 in=$2 exp=$3
    shift 3
    local d
    for d in "--rate 1" "-n 1000000" "--head 1000000"; do
        # shellcheck disable=SC2086
        run "$L" sample $d "$@" "$in"
        expect_output_file "$exp" || echo "    ($what)"
        # shellcheck disable=SC2086
        run "$L" sample $d --chunk-size 3 -t 2 "$@" "$in"
        expect_output_file "$exp" || echo "    ($what, --chunk-size 3)"
    done
    gzip -c "$in" >"$T/cb.gz"
    run "$L" sample --rate 1 "$@" "$T/cb.gz"
    expect_output_file "$exp" || echo "    ($what, gzip)"
    if [ "$have_zstd" = 1 ]; then
        zstd -q -c "$in" >"$T/cb.zst"
        run "$L" sample -n 1000000 --chunk-size 5 "$@" "$T/cb.zst"
        expect_output_file "$exp" || echo "    ($what, zstd)"
    fi
}

# CRLF lines come out unchanged, \r included; an empty CRLF line is a record
printf 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nbody\r\n' >"$T/crlf"
check_bytes "CRLF" "$T/crlf" "$T/crlf"
run "$L" sample --head 2 "$T/crlf"
expect_eq "--head 2 on CRLF keeps the \\r" "$(printf 'GET /a HTTP/1.1\r\nHost: x\r\n' | od -c)" \
    "$(od -c <"$T/out")"
# a bare CR is an ordinary byte: "a\rb" is one record
printf 'a\rb\nc\r\rd\n\r\n' >"$T/cr"
check_bytes "bare CR" "$T/cr" "$T/cr"
run "$L" sample -n 1000 "$T/cr"
expect_eq "bare CR does not split records" 3 "$(lines_of "$T/out")"

# empty lines are records, also at the start and the end
printf '\n\nx\n\n\ny\n\n' >"$T/empties"
check_bytes "empty lines" "$T/empties" "$T/empties"
run "$L" sample --head 3 "$T/empties"
expect_eq "--head 3 counts empty lines" "$(printf '\n\nx\n' | od -c)" "$(od -c <"$T/out")"
printf '\n\n\n\n\n' >"$T/only_nl"
run "$L" sample -n 3 "$T/only_nl"
expect_eq "-n 3 on 5 empty lines writes 3 newlines" "$(printf '\n\n\n' | od -c)" "$(od -c <"$T/out")"

# a last line without a newline gains one
printf 'a\nb\nlast' >"$T/nonl"
printf 'a\nb\nlast\n' >"$T/nonl.exp"
check_bytes "no final newline" "$T/nonl" "$T/nonl.exp"
printf 'only' >"$T/one"
printf 'only\n' >"$T/one.exp"
check_bytes "one line without newline" "$T/one" "$T/one.exp"
printf 'x\r' >"$T/cr_end"
printf 'x\r\n' >"$T/cr_end.exp"
check_bytes "last line ending in a bare CR" "$T/cr_end" "$T/cr_end.exp"
# each input is completed on its own: two files without final newlines
printf 'p\nq' >"$T/f1"
printf 'r' >"$T/f2"
run "$L" sample --rate 1 "$T/f1" "$T/f2"
expect_eq "each input's last line gains a newline" "$(printf 'p\nq\nr\n' | od -c)" "$(od -c <"$T/out")"

# NUL bytes inside records pass through
printf 'a\0b\n\0\n\0\0\0\nz\0' >"$T/nul"
printf 'a\0b\n\0\n\0\0\0\nz\0\n' >"$T/nul.exp"
check_bytes "NUL bytes" "$T/nul" "$T/nul.exp"
# every byte value but '\n' inside one record
printf '%b' "$(printf '\\%03o' $(seq 0 255) | sed 's/\\012//')" >"$T/allbytes"
printf '\n' >>"$T/allbytes"
expect_eq "test setup: allbytes is 255 bytes + newline" 256 "$(wc -c <"$T/allbytes")"
check_bytes "all byte values" "$T/allbytes" "$T/allbytes"

# a 3 MiB line: bigger than a chunk (default 1M), and than the 64K headroom
{
    echo first
    head -c $((3 << 20)) /dev/zero | tr '\0' 'q'
    printf '\nmiddle\n'
    head -c $((3 << 20)) /dev/zero | tr '\0' 'w'
} >"$T/long"
printf '\nlast\n' >>"$T/long"
cp "$T/long" "$T/long.exp"
for d in "--rate 1" "-n 10"; do
    # shellcheck disable=SC2086
    expect_same "$T/long.exp" "$L" sample $d "$T/long"
    # shellcheck disable=SC2086
    expect_same "$T/long.exp" "$L" sample $d -t 3 --chunk-size 64K "$T/long"
done
if [ "$have_zstd" = 1 ]; then
    zstd -q -c "$T/long" >"$T/long.zst"
    expect_same "$T/long.exp" "$L" sample --rate 1 "$T/long.zst"
fi
gzip -c "$T/long" >"$T/long.gz"
expect_same "$T/long.exp" "$L" sample --rate 1 --chunk-size 100K "$T/long.gz"
head -n 2 "$T/long" >"$T/long2"
expect_same "$T/long2" "$L" sample --head 2 "$T/long"
# a 3 MiB last line without a newline
head -c $((3 << 20)) /dev/zero | tr '\0' 'e' >"$T/longend"
{ cat "$T/longend"; echo; } >"$T/longend.exp"
expect_same "$T/longend.exp" "$L" sample --rate 1 "$T/longend"
expect_same_sh "$T/longend.exp" "'$L' sample -n 1 <'$T/longend'"
# a long record through the -n spill of few records: only its bytes kept
run "$L" sample -n 1 --seed 3 "$T/long"
expect_eq "-n 1 on the long file: one record" 1 "$(lines_of "$T/out")"
expect_true "-n 1 on the long file: a record of the input" grep -qFx -f "$T/out" "$T/long"

# --max-record: a record longer than the limit fails with its offset
{
    echo ok
    head -c 2048 /dev/zero | tr '\0' x
    printf '\nok\n'
} >"$T/wide"
expect_rc 3 "$L" sample --rate 1 --max-record 1K "$T/wide"
expect_stderr_match "^ladle: $T/wide: record longer than 1024 bytes \(at offset 3; see --max-record\)$"
expect_rc 0 "$L" sample --rate 1 --max-record 2K "$T/wide"
expect_rc 3 "$L" sample -n 1 --max-record 2047 "$T/wide"
# the limit counts the record's bytes without its newline
for n in 1024 1025; do
    { echo ok; head -c "$n" /dev/zero | tr '\0' x; printf '\nok\n'; } >"$T/w$n"
done
expect_rc 0 "$L" sample --rate 1 --max-record 1K "$T/w1024"
expect_rc 3 "$L" sample --rate 1 --max-record 1K "$T/w1025"
# deep in a file, across chunk boundaries, compressed or not: the offset is
# the record's start in the decompressed stream
make_log "$T/pre" 500 31
pre=$(wc -c <"$T/pre")
{ cat "$T/pre"; head -c 5000 /dev/zero | tr '\0' y; printf '\ntail\n'; } >"$T/deep"
gzip -c "$T/deep" >"$T/deep.gz"
for f in deep deep.gz; do
    for cs in 1M 4K 1000; do
        expect_rc 3 "$L" sample --rate 0.5 -t 2 --max-record 4K --chunk-size "$cs" "$T/$f"
        expect_stderr_match "^ladle: $T/$f: record longer than 4096 bytes \(at offset $pre; see --max-record\)$"
    done
done
# a long last record without a newline
{ echo ok; head -c 3000 /dev/zero | tr '\0' z; } >"$T/wide_end"
expect_rc 3 "$L" sample --head 5 --max-record 1K "$T/wide_end"
expect_stderr_match "^ladle: $T/wide_end: record longer than 1024 bytes \(at offset 3; see --max-record\)$"
# on stdin the file is called <stdin>
run "$L" sample -n 2 --max-record 1K <"$T/wide"
expect_eq "--max-record on stdin: exit 3" 3 "$RC"
expect_stderr_match '^ladle: <stdin>: record longer than 1024 bytes \(at offset 3; see --max-record\)$'

# empty inputs: no output, exit 0
: >"$T/empty"
for d in "--rate 1" "-n 3" "--head 3" "-n 3 --shuffle" "--every 2"; do
    # shellcheck disable=SC2086
    expect_rc 0 "$L" sample $d "$T/empty"
    expect_stdout_empty
    expect_stderr_empty
done
gzip -c "$T/empty" >"$T/empty.gz"
expect_rc 0 "$L" sample -n 3 "$T/empty.gz"
expect_stdout_empty
if [ "$have_zstd" = 1 ]; then
    zstd -q -c "$T/empty" >"$T/empty.zst"
    expect_rc 0 "$L" sample -n 3 "$T/empty.zst"
    expect_stdout_empty
fi
printf 'a\nb\n' >"$T/ab"
expect_same "$T/ab" "$L" sample --rate 1 "$T/empty" "$T/ab" "$T/empty"

# -n larger than the population: all records, in input order
make_log "$T/pop" 250 32
make_log "$T/pop2" 40 33
expect_same "$T/pop" "$L" sample -n 251 "$T/pop"
expect_same "$T/pop" "$L" sample -n 250 "$T/pop"
expect_same "$T/pop" "$L" sample -n 9223372036854775807 -t 3 --chunk-size 1K "$T/pop"
cat "$T/pop" "$T/pop2" >"$T/pop12"
expect_same "$T/pop12" "$L" sample -n 100000 "$T/pop" "$T/pop2"
run "$L" sample -n 249 "$T/pop"
expect_eq "-n 249 of 250: 249 records" 249 "$(lines_of "$T/out")"
run "$L" sample -n 0 "$T/pop"
expect_eq "-n 0: exit 0" 0 "$RC"
expect_stdout_empty
run "$L" sample --rate 0 "$T/pop"
expect_stdout_empty
expect_same "$T/pop" "$L" sample --head 1000 "$T/pop"
expect_same "$T/pop" "$L" sample --every 1 "$T/pop"

finish
