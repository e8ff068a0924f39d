#!/usr/bin/env bash
# Every error path of the CLI: the documented exit code (2 usage, 3 input,
# 4 output) and one line on stderr that starts with "ladle: " and names the
# file and where (ladle(1), EXIT STATUS). Never a crash or a hang.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
have_zstd=0
command -v zstd >/dev/null && have_zstd=1

make_log "$T/a.log" 3000 41
gzip -c "$T/a.log" >"$T/a.gz"
[ "$have_zstd" = 1 ] && zstd -q -c "$T/a.log" >"$T/a.zst"
cd "$T" || exit 1

# ---- usage errors: exit 2, one line, nothing on stdout
usage_case() { # ARGS... (after `ladle sample`, before a.log)
    run "$L" sample "$@" a.log
    if [ "$RC" = 2 ]; then pass; else
        fail "$LAST_CMD" "exit $RC, expected 2" "stderr: $(head -c 300 "$T/err" | cat -v)"
    fi
    expect_stderr_match '^ladle: .*\(see .ladle sample --help.\)$'
    expect_stdout_empty
}
usage_case                                  # no design
usage_case --rate 0.1 -n 3                  # two designs
usage_case --head 3 --head 4
usage_case -n 3 --every 2
usage_case --rate 2
usage_case --rate 1.0000001
usage_case --rate -0.1
usage_case --rate abc
usage_case --rate ""
usage_case --rate nan
usage_case --rate inf
usage_case --rate 0.5x
usage_case -n -1
usage_case -n x
usage_case -n 1.5
usage_case -n 99999999999999999999
usage_case --head -3
usage_case --threads 0
usage_case -t 0
usage_case -t 1025
usage_case --threads many
usage_case --bogus
usage_case -q
usage_case --chunk-size 12Q
usage_case --chunk-size 0
usage_case --chunk-size -1
usage_case --chunk-size 2G
usage_case --max-record 0
usage_case --max-record 1T
usage_case --seed abc
usage_case --seed -1
usage_case --seed 18446744073709551616
usage_case --io nope
usage_case --every 0
usage_case --start 3 -n 1
usage_case --rate=2
usage_case --shuffle=yes --rate 1
# the messages say what was wrong
run "$L" sample --rate 2 a.log
expect_stderr_match "^ladle: --rate: '2' is not a probability"
run "$L" sample --rate 0.1 -n 3 a.log
expect_stderr_match '^ladle: choose one design'
run "$L" sample a.log
expect_stderr_match '^ladle: choose a design'
run "$L" sample --bogus -n 3 a.log
expect_stderr_match "^ladle: unknown option '--bogus'"
run "$L" sample --chunk-size 12Q -n 3 a.log
expect_stderr_match "^ladle: --chunk-size: '12Q' is not a size"
run "$L" sample --threads 0 -n 3 a.log
expect_stderr_match "^ladle: --threads: '0' is not a thread count"
run "$L" sample -n -1 a.log
expect_stderr_match "^ladle: -n: '-1' is not a record count"
# an option without its value, at the end
expect_rc 2 "$L" sample -n
expect_stderr_match "^ladle: option '-n' needs a value"
expect_rc 2 "$L" sample a.log --rate
expect_stderr_match "^ladle: option '--rate' needs a value"
# usage errors win over input errors: nothing is opened
expect_rc 2 "$L" sample --rate 2 nosuch.log
expect_stderr_match '^ladle: --rate'

# ---- the command level
expect_rc 2 "$L"
expect_true "ladle without arguments: no usage on stderr" grep -q '^Usage: ladle' "$T/err"
expect_stdout_empty
expect_rc 2 "$L" frobnicate
expect_stderr_match "^ladle: unknown command 'frobnicate'"
expect_rc 2 "$L" --frobnicate
expect_stderr_match "^ladle: unknown command '--frobnicate'"
expect_rc 2 "$L" ""
expect_stderr_match "^ladle: unknown command"
expect_rc 0 "$L" --version
src=${LADLE_SRC:-$(dirname "$0")/../..}
expect_eq "ladle --version" "ladle $(sed -n 's/^project(ladle VERSION \([0-9.]*\).*/\1/p' \
    "$src/CMakeLists.txt") (reproducibility contract $(sed -n \
    's/^#define LADLE_CONTRACT_VERSION \([0-9]*\).*/\1/p' "$src/include/ladle/ladle.h"))" \
    "$(cat "$T/out")"
expect_stderr_empty
expect_rc 0 "$L" -V
expect_rc 0 "$L" --help
expect_true "ladle --help: no usage on stdout" grep -q '^Usage: ladle COMMAND' "$T/out"
expect_stderr_empty
expect_rc 0 "$L" -h
expect_rc 0 "$L" help
expect_rc 0 "$L" sample --help
expect_true "ladle sample --help: no usage on stdout" grep -q '^Usage: ladle sample' "$T/out"
for opt in --rate -n --head --shuffle --seed --threads --chunk-size --max-record --long \
    --drop-cache --io --verbose; do
    expect_true "ladle sample --help does not mention $opt" grep -q -- "$opt" "$T/out"
done
expect_stderr_empty
expect_rc 0 "$L" sample -h
expect_rc 0 "$L" help sample
expect_true "ladle help sample: no sample usage" grep -q '^Usage: ladle sample' "$T/out"
# help wins, even after an option that is wrong later
expect_rc 0 "$L" sample --help --rate 0.5

# ---- input errors: exit 3, "ladle: FILE: what (where)"
expect_rc 3 "$L" sample -n 3 nosuch.log
expect_stderr_match '^ladle: nosuch.log: cannot open: No such file or directory$'
expect_rc 3 "$L" sample -n 3 "$T/nosuch.log"
expect_stderr_match "^ladle: $T/nosuch.log: cannot open: No such file or directory$"
# the missing one among good ones is named
expect_rc 3 "$L" sample --rate 0.5 a.log nosuch.log a.gz
expect_stderr_match '^ladle: nosuch.log: cannot open: No such file or directory$'
mkdir -p adir
expect_rc 3 "$L" sample -n 3 adir
expect_stderr_match '^ladle: adir: .*[Ii]s a directory'
expect_rc 3 "$L" sample -n 3 a.log adir
expect_stderr_match '^ladle: adir: '
if [ "$(id -u)" = 0 ]; then
    note "running as root: the unreadable-file check (chmod 000) is skipped"
else
    cp a.log locked
    chmod 000 locked
    expect_rc 3 "$L" sample -n 3 locked
    expect_stderr_match '^ladle: locked: cannot open: Permission denied$'
fi
# stdin closed (not empty): an input error, not a crash
run "$L" sample -n 3 <&-
expect_eq "closed stdin: exit 3 ($LAST_CMD <&-)" 3 "$RC"
expect_stderr_match '^ladle: <stdin>: '

# truncated compressed input: "truncated ... stream: the input ends inside
# <the unit that was being read> (at compressed byte N)", N the input's end
gz_size=$(wc -c <a.gz)
for cut in 5 11 100 2000 $((gz_size / 2)) $((gz_size - 4)) $((gz_size - 1)); do
    head -c "$cut" a.gz >"cut$cut.gz"
    expect_rc 3 "$L" sample -n 3 "cut$cut.gz"
    expect_stderr_match "^ladle: cut$cut.gz: .*compressed byte [0-9]+\)$"
done
head -c $((gz_size / 2)) a.gz >cut.gz
expect_rc 3 "$L" sample -n 3 cut.gz
expect_stderr_match "^ladle: cut.gz: truncated gzip stream: the input ends inside the member that starts at compressed byte 0 \(at compressed byte $((gz_size / 2))\)$"
# truncated on stdin, and as the second member of a multi-member file
expect_rc 3 "$L" sample --rate 1 - <cut.gz
expect_stderr_match '^ladle: <stdin>: truncated gzip stream: .*\(at compressed byte [0-9]+\)$'
cat a.gz cut.gz >member_cut.gz
expect_rc 3 "$L" sample -n 3 member_cut.gz
expect_stderr_match "^ladle: member_cut.gz: truncated gzip stream: the input ends inside the member that starts at compressed byte $gz_size \(at compressed byte $((gz_size + gz_size / 2))\)$"
if [ "$have_zstd" = 1 ]; then
    zst_size=$(wc -c <a.zst)
    for cut in 5 7 100 2000 $((zst_size / 2)) $((zst_size - 4)) $((zst_size - 1)); do
        head -c "$cut" a.zst >"cut$cut.zst"
        expect_rc 3 "$L" sample -n 3 "cut$cut.zst"
        expect_stderr_match "^ladle: cut$cut.zst: .*compressed byte [0-9]+\)$"
    done
    head -c $((zst_size / 2)) a.zst >cut.zst
    expect_rc 3 "$L" sample -n 3 cut.zst
    expect_stderr_match "^ladle: cut.zst: truncated zstd stream: the input ends inside a block of [0-9]+ bytes that starts at compressed byte [0-9]+ \(at compressed byte $((zst_size / 2))\)$"
    expect_rc 3 "$L" sample --head 1000000 - <cut.zst
    expect_stderr_match '^ladle: <stdin>: truncated zstd stream: .*\(at compressed byte [0-9]+\)$'
    cat a.zst cut.zst >frame_cut.zst
    expect_rc 3 "$L" sample -n 3 -t 3 --chunk-size 4K frame_cut.zst
    expect_stderr_match "^ladle: frame_cut.zst: truncated zstd stream: .*\(at compressed byte $((zst_size + zst_size / 2))\)$"
    # cut inside the frame header (at least 6 bytes)
    head -c 5 a.zst >cut5.zst
    expect_rc 3 "$L" sample -n 3 cut5.zst
    expect_stderr_match '^ladle: cut5.zst: truncated zstd stream: the input ends inside a frame header that starts at compressed byte 0 \(at compressed byte 5\)$'
fi

# corrupt compressed input (bytes flipped mid-file): exit 3, one line, the
# file, the compressed byte. gzip has a CRC, zstd (CLI default) a checksum.
flip() { # FILE OFFSET: xor 8 bytes at OFFSET with 0xff
    local bytes
    bytes=$(od -An -tu1 -j "$2" -N 8 "$1")
    local b out=""
    for b in $bytes; do out+=$(printf '\\%03o' $((b ^ 255))); done
    printf '%b' "$out" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
for off in 300 1000 $((gz_size / 2)) $((gz_size - 20)); do
    cp a.gz "bad$off.gz"
    flip "bad$off.gz" "$off"
    expect_rc 3 "$L" sample -n 3 "bad$off.gz"
    expect_stderr_match "^ladle: bad$off.gz: .*\(at compressed byte [0-9]+\)$"
done
# a CRC that does not match the data
cp a.gz badcrc.gz
flip badcrc.gz $((gz_size - 8))
expect_rc 3 "$L" sample --rate 1 badcrc.gz
expect_stderr_match '^ladle: badcrc.gz: .*\(at compressed byte [0-9]+\)$'
# junk after the last member (zero padding is fine)
(cat a.gz; head -c 512 /dev/zero) >padded.gz
expect_same "$T/a.log" "$L" sample --rate 1 padded.gz
(cat a.gz; echo junk) >junk.gz
expect_rc 3 "$L" sample -n 3 junk.gz
expect_stderr_match "^ladle: junk.gz: data after the last gzip member is not gzip \(at compressed byte $gz_size\)$"
# a member header with a reserved FLG bit (RFC 1952: refuse it; ISA-L reads
# past it): the second member's flag byte gets bit 5, alone and with FNAME;
# -t 2 (no index: read serially) and stdin say the same
for flg in 32 40 128; do
    cp a.gz rsv.gz
    printf "\\$(printf %03o "$flg")" | dd of=rsv.gz bs=1 seek=3 conv=notrunc 2>/dev/null
    cat a.gz rsv.gz >"reserved$flg.gz"
    want=$(printf '0x%02x' $((flg & 224)))
    for t in 1 2; do
        expect_rc 3 "$L" sample --rate 1 -t "$t" "reserved$flg.gz"
        expect_stderr_match "^ladle: reserved$flg.gz: corrupt gzip data: reserved header flags set \\($want\\), in the member that starts at compressed byte $gz_size \\(at compressed byte $((gz_size + 3))\\)$"
    done
    expect_rc 3 "$L" sample --rate 1 - <"reserved$flg.gz"
    expect_stderr_match '^ladle: <stdin>: corrupt gzip data: reserved header flags set'
done
# the same in a file indexed before it changed: the middle member's flag
# byte lies outside the first and last 64 KiB the index's stamp reads, so
# the workers read it from the index, and their reader refuses it too
seq 1 200000 | gzip -c >m1.gz
m1_size=$(wc -c <m1.gz)
cat m1.gz m1.gz m1.gz >m3.gz
expect_rc 0 "$L" index --span 64K m3.gz
printf '\040' | dd of=m3.gz bs=1 seek=$((m1_size + 3)) conv=notrunc 2>/dev/null
for t in 1 2 4; do
    expect_rc 3 "$L" sample --rate 0.001 -t "$t" m3.gz
    expect_stderr_match "^ladle: m3.gz: corrupt gzip data: reserved header flags set \\(0x20\\), in the member that starts at compressed byte $m1_size \\(at compressed byte $((m1_size + 3))\\)$"
done
head -c 2 a.gz >tiny.gz
expect_rc 3 "$L" sample --rate 1 tiny.gz
expect_stderr_match '^ladle: tiny.gz: truncated gzip stream: .*\(at compressed byte 2\)$'
if [ "$have_zstd" = 1 ]; then
    for off in 300 1000 $((zst_size / 2)) $((zst_size - 20)); do
        cp a.zst "bad$off.zst"
        flip "bad$off.zst" "$off"
        expect_rc 3 "$L" sample -n 3 "bad$off.zst"
        expect_stderr_match "^ladle: bad$off.zst: .*\(at compressed byte [0-9]+\)$"
    done
    cp a.zst badsum.zst
    flip badsum.zst $((zst_size - 4))   # only the XXH64 checksum
    expect_rc 3 "$L" sample --rate 1 badsum.zst
    expect_stderr_match "^ladle: badsum.zst: corrupt zstd data: the frame at compressed bytes 0-$((zst_size - 1)) does not match its checksum \(at compressed byte $((zst_size - 4))\)$"
    (cat a.zst; echo junk) >junk.zst
    expect_rc 3 "$L" sample -n 3 junk.zst
    expect_stderr_match "^ladle: junk.zst: data after the last zstd frame is not zstd \(at compressed byte $zst_size\)$"
    # a flipped byte mid-file is found in the block that holds it (not "at
    # byte 0", the start of the read buffer), or by the frame's checksum
    for off in 1000 $((zst_size / 2)) $((zst_size - 20)); do
        run "$L" sample -n 3 "bad$off.zst"
        at=$(sed -n 's/.*(at compressed byte \([0-9]*\))$/\1/p' "$T/err")
        if grep -q 'does not match its checksum' "$T/err" ||
            { [ -n "$at" ] && [ "$at" -gt 0 ] && [ "$at" -le "$off" ] && [ $((off - at)) -lt 131072 ]; }; then
            pass
        else
            fail "$LAST_CMD: damage at $off reported elsewhere" "stderr: $(cat -v "$T/err")"
        fi
    done
    # 2 to 5 bytes that start the zstd magic: a cut .zst, not text
    for n in 2 3 4 5; do
        head -c "$n" a.zst >"tiny$n.zst"
        expect_rc 3 "$L" sample --rate 1 "tiny$n.zst"
        expect_stderr_match "^ladle: tiny$n.zst: truncated zstd stream: .*\(at compressed byte $n\)$"
    done
    # zstd's pre-1.0 formats (v0.7 here, 9 bytes a fuzzer found): refused by
    # name, alone (not taken for text) and after a frame of today's format
    printf '\047\265\057\375\000\000\351\000\012' >legacy.zst
    expect_rc 3 "$L" sample --rate 1 legacy.zst
    expect_stderr_match '^ladle: legacy.zst: a zstd frame of the legacy v0.7 format \(before zstd 1.0\) is not read: recompress it with zstd 1.0 or later \(at compressed byte 0\)$'
    cat a.zst legacy.zst >legacy2.zst
    expect_rc 3 "$L" sample --rate 1 -t 2 legacy2.zst
    expect_stderr_match "^ladle: legacy2.zst: a zstd frame of the legacy v0.7 format .*\(at compressed byte $zst_size\)$"
    # corrupt data in the middle of a run with many threads and small chunks
    expect_rc 3 "$L" sample --rate 0.5 -t 4 --chunk-size 1K "bad$((zst_size / 2)).zst"
fi
# an error in a later input, after earlier output: still exit 3
expect_rc 3 "$L" sample --rate 1 a.log cut.gz
expect_stderr_match '^ladle: cut.gz: truncated gzip stream'

# a zstd frame that declares a window over 128 MiB needs --long. zstd
# declares the full --long window only when it does not know the content
# size, so the data goes through a pipe.
if [ "$have_zstd" = 1 ]; then
    head -c 200000 a.log >w.log
    printf '%s\n' "$(cat w.log)" >w.exp   # complete the last line as ladle does
    head -c 200000 a.log | zstd -q --long=28 -c >w28.zst 2>/dev/null
    head -c 200000 a.log | zstd -q --long=27 -c >w27.zst 2>/dev/null
    win=$(zstd -lv w28.zst 2>/dev/null | sed -n 's/^Window Size: *\([0-9.]*\) MiB.*/\1/p')
    if [ "$win" = 256 ]; then
        expect_rc 3 "$L" sample -n 3 w28.zst
        expect_stderr_match '^ladle: w28.zst: zstd frame needs a 256 MiB window, over the 128 MiB limit \(use --long\) \(at compressed byte 0\)$'
        expect_rc 3 "$L" sample -n 3 - <w28.zst
        expect_stderr_match '^ladle: <stdin>: .*--long'
        expect_same "$T/w.exp" "$L" sample --rate 1 --long w28.zst
        expect_same "$T/w.exp" "$L" sample --rate 1 --long w27.zst
        expect_same "$T/w.exp" "$L" sample --rate 1 w27.zst  # exactly 128 MiB is fine
    else
        note "zstd did not write a 256 MiB window here (Window Size: ${win:-?}); --long not checked"
    fi
fi
# a frame declaring a 4 GiB window, after a good one: with --long the
# message names the 2 GiB limit (not "use --long"), and the frame
printf '\x28\xb5\x2f\xfd\x00\xb0\x01\x00\x00' >w4g.part
if [ "$have_zstd" = 1 ]; then
    cat a.zst w4g.part >w4g.zst
    expect_rc 3 "$L" sample --rate 1 --long w4g.zst
    expect_stderr_match "^ladle: w4g.zst: zstd frame needs a 4 GiB window, over the 2 GiB limit of --long \(at compressed byte $zst_size\)$"
    expect_rc 3 "$L" sample --rate 1 w4g.zst
    expect_stderr_match "^ladle: w4g.zst: zstd frame needs a 4 GiB window, over the 128 MiB limit and the 2 GiB of --long \(at compressed byte $zst_size\)$"
fi

# ---- output errors: exit 4
if [ -w /dev/full ]; then
    timeout -k 5 "$E2E_TIMEOUT" "$L" sample --rate 1 a.log >/dev/full 2>"$T/err"
    RC=$?
    LAST_CMD="ladle sample --rate 1 a.log >/dev/full"
    expect_eq "$LAST_CMD: exit" 4 "$RC"
    expect_stderr_match '^ladle: <stdout>: write failed: No space left on device$'
    timeout -k 5 "$E2E_TIMEOUT" "$L" sample -n 5 --shuffle a.gz >/dev/full 2>"$T/err"
    RC=$?
    LAST_CMD="ladle sample -n 5 --shuffle a.gz >/dev/full"
    expect_eq "$LAST_CMD: exit" 4 "$RC"
    expect_stderr_match '^ladle: <stdout>: write failed: '
fi
# stdout closed
timeout -k 5 "$E2E_TIMEOUT" "$L" sample --rate 1 a.log >&- 2>"$T/err"
RC=$?
LAST_CMD="ladle sample --rate 1 a.log >&-"
expect_eq "$LAST_CMD: exit" 4 "$RC"
expect_stderr_match '^ladle: <stdout>: '

cd / || exit 1
finish
