#!/usr/bin/env bash
# Real logs (loghub samples in $LADLE_SHARED/realdata/loghub): each samples
# cleanly, and --rate 1 gives the file back byte for byte (its CRLF endings
# included), with a newline added where the last line has none. Records end
# at '\n' only: a CR, bare or before '\n', is a byte of the record.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE

dir=${LADLE_SHARED:-}/realdata/loghub
files=()
if [ -n "${LADLE_SHARED:-}" ] && [ -d "$dir" ]; then
    for f in "$dir"/*.log; do
        [ -f "$f" ] && files+=("$f")
    done
fi
[ "${#files[@]}" -gt 0 ] || skip "no shared realdata ($dir/*.log)"

all_exp="$T/all.exp"
: >"$all_exp"
for f in "${files[@]}"; do
    b=$(basename "$f")
    exp="$T/$b.exp"
    cp "$f" "$exp"
    [ -s "$f" ] && [ "$(tail -c 1 "$f" | od -An -tx1 | tr -d ' ')" != 0a ] && printf '\n' >>"$exp"
    cat "$exp" >>"$all_exp"
    nrec=$(lines_of "$exp")
    crlf=$(grep -c $'\r$' "$f")
    cr=$(tr -cd '\r' <"$f" | wc -c)
    [ "$cr" -gt "$crlf" ] && note "$b: $((cr - crlf)) bare CR bytes (inside records)"

    # --rate 1: the file itself
    expect_same "$exp" "$L" sample --rate 1 "$f"
    expect_same "$exp" "$L" sample --rate 1 -t 3 --chunk-size 4K "$f"
    expect_same "$exp" "$L" sample -n $((nrec + 1)) "$f"

    # -n 10: ten records of the file, in file order, CRs kept
    run "$L" sample -n 10 "$f"
    expect_eq "$LAST_CMD: exit" 0 "$RC"
    expect_stderr_empty
    expect_eq "$b -n 10: 10 records" 10 "$(lines_of "$T/out")"
    expect_true "$b -n 10: records of the file, in order" is_subsequence "$T/out" "$exp"
    no_cr=$(grep -vc $'\r$' "$T/out")
    expect_true "$b -n 10: records keep their CR ($no_cr without, file has $((nrec - crlf)))" \
        test "$no_cr" -le $((nrec - crlf))
    cp "$T/out" "$T/n10"
    expect_same "$T/n10" "$L" sample -n 10 -t 4 --chunk-size 1K "$f"
    gzip -c "$f" >"$T/$b.gz"
    expect_same "$T/n10" "$L" sample -n 10 "$T/$b.gz"
    expect_same_sh "$T/n10" "'$L' sample -n 10 --source-name '$f' <'$f'"

    # --rate 0.5: about half, in order
    run "$L" sample --rate 0.5 "$f"
    expect_eq "$LAST_CMD: exit" 0 "$RC"
    expect_stderr_empty
    k=$(lines_of "$T/out")
    expect_true "$b --rate 0.5: a plausible count ($k of $nrec)" \
        test "$k" -gt $((nrec * 4 / 10)) -a "$k" -lt $((nrec * 6 / 10))
    expect_true "$b --rate 0.5: records of the file, in order" is_subsequence "$T/out" "$exp"

    # --head 3: the first three lines
    head -n 3 "$exp" >"$T/h3"
    expect_same "$T/h3" "$L" sample --head 3 "$f"
done

# all of them at once, in argument order, and in reverse
expect_same "$all_exp" "$L" sample --rate 1 "${files[@]}"
rev=()
: >"$T/rev.exp"
for ((i = ${#files[@]} - 1; i >= 0; i--)); do
    rev+=("${files[$i]}")
    cat "$T/$(basename "${files[$i]}").exp" >>"$T/rev.exp"
done
expect_same "$T/rev.exp" "$L" sample --rate 1 -t 2 "${rev[@]}"
run "$L" sample -n 50 --shuffle "${files[@]}"
expect_eq "-n 50 --shuffle over all files: exit" 0 "$RC"
expect_eq "-n 50 --shuffle over all files: 50 records" 50 "$(lines_of "$T/out")"


# Time splits of the structured CSVs (issue 9, item 2): every timestamp form
# of Loghub, with the --time-field and --time-format that read it, split at
# the time of the file's middle row: exit 0, both splits non-empty, every
# record in one of them.
time_split() { # NAME FIELD FORMAT CUTOFF [ZONE]
    local f="$dir/$1_2k.log_structured.csv" out="$T/ts-$1-${2//,/_}${5:+-tz}" fmt=()
    [ -f "$f" ] || { note "$1: no structured CSV"; return; }
    [ -n "$3" ] && fmt=(--time-format "$3")
    [ -n "${5:-}" ] && fmt+=(--tz "$5")
    run "$L" split -o "$out" --format csv --header --ratios early,late --time-field "$2" \
        ${fmt[@]+"${fmt[@]}"} --cutoffs "$4" "$f"
    if [ "$RC" != 0 ]; then
        fail "$LAST_CMD" "exit $RC" "stderr: $(head -c 600 "$T/err")"
        return
    fi
    local e l
    e=$(for p in "$out"/early/part-*.zst; do [ -e "$p" ] && zstd -dcq "$p" | tail -n +2; done | wc -l)
    l=$(for p in "$out"/late/part-*.zst; do [ -e "$p" ] && zstd -dcq "$p" | tail -n +2; done | wc -l)
    expect_true "$1 --time-field $2: both splits hold records (early $e, late $l)" \
        test "$e" -gt 0 -a "$l" -gt 0
    expect_eq "$1 --time-field $2: every record in a split" "$(($(lines_of "$f") - 1))" "$((e + l))"
}
time_split Android Date,Time '%m-%d %H:%M:%S.%f' 1970-03-17T16:15:18Z
time_split Apache Time '' 2005-12-04T20:34:20Z
time_split BGL Time '' 2005-07-17T04:06:31Z
time_split BGL Time '' 2005-07-17T04:06:31-07:00 America/Los_Angeles
time_split BGL Timestamp '' 1121598391
time_split BGL Date '%Y.%m.%d' 2005-07-17
time_split HDFS Date,Time '%y%m%d %H%M%S' 2008-11-10T22:06:58Z
time_split Hadoop Date,Time '' 2015-10-18T18:06:21Z
time_split HealthApp Time '%Y%m%d-%H:%M:%S:%L' 2017-12-23T22:31:59Z
time_split Linux Month,Date,Time '%b %d %H:%M:%S' 1970-07-09T12:16:52Z
time_split OpenSSH Date,Day,Time '%b %d %H:%M:%S' 1970-12-10T10:14:13Z
time_split OpenStack Date,Time '' 2017-05-16T00:07:25Z
time_split Spark Date,Time '%y/%m/%d %H:%M:%S' 2017-06-09T20:10:58Z
time_split Thunderbird Date,Time '%Y.%m.%d %H:%M:%S' 2005-11-09T12:09:08Z
time_split Thunderbird Month,Day,Time '%b %d %H:%M:%S' 1970-11-09T12:09:08Z
time_split Thunderbird Timestamp '' 1131566948
time_split Zookeeper Date,Time '' 2015-07-29T19:29:27Z

finish
