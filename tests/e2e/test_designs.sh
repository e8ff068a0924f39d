#!/usr/bin/env bash
# The field designs from the command line (ladle sample --help): stratified
# (-n, --per-stratum, --fractions), cluster (--rate, --clusters, second
# stages), weighted (-n, --emit-weight), systematic, snowball; stdin for the
# two-pass designs; usage errors (exit 2, one line) and --missing error
# (exit 3). The statistics themselves are tests/stat/test_*.c; here each
# design's documented CLI contract is checked on generated data, exactly
# where the contract is exact (sizes, allocation, no split, columns).
#
# Env: LADLE (the ladle binary), LADLE_GEN (ladle-gen; an awk fallback
# makes the same columns when it is absent). Exit 0 pass, 1 fail, 77 skip.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
export LC_ALL=C

# gen FILE FORMAT RECORDS SEED [--header]: ladle-gen, or awk with its columns
# (ts level user session status latency_ms path msg).
gen() {
    local file=$1 fmt=$2 n=$3 seed=$4 hdr=${5:-}
    if [ -n "${LADLE_GEN:-}" ] && [ -x "$LADLE_GEN" ] &&
        "$LADLE_GEN" --format "$fmt" --records "$n" --seed "$seed" $hdr >"$file" 2>/dev/null; then
        return 0
    fi
    awk -v n="$n" -v s="$seed" -v fmt="$fmt" -v hdr="$hdr" 'BEGIN {
        srand(s); split("INFO INFO INFO INFO INFO INFO INFO INFO WARN ERROR DEBUG FATAL", lv, " ")
        if (fmt == "tsv" && hdr != "") print "ts\tlevel\tuser\tsession\tstatus\tlatency_ms\tpath\tmsg"
        for (i = 0; i < n; i++) {
            l = lv[1 + int(rand() * 12)]; u = int(rand() * rand() * 3000); ms = exp(rand() * 8)
            if (fmt == "tsv")
                printf "2026-11-01T00:00:%09.6fZ\t%s\tu%d\t%08x\t200\t%.2f\t/api/%d\tm%d\n", i / 1000, l, u, i, ms, i, i
            else
                printf "{\"ts\":%d,\"level\":\"%s\",\"user\":\"u%d\",\"session\":\"%08x\",\"status\":200,\"latency_ms\":%.2f,\"path\":\"/api/%d\",\"msg\":\"m%d\"}\n", i, l, u, i, ms, i, i
        }
    }' >"$file"
}

J=$T/logs.json
TSV=$T/logs.tsv
gen "$J" json 20000 7
gen "$TSV" tsv 5000 9 --header
[ "$(lines_of "$J")" = 20000 ] || skip "cannot generate test data"

# json_field FIELD: each stdin line's string value of "FIELD" ("" if none).
json_field() {
    awk -v f="\"$1\":\"" '{ i = index($0, f); if (!i) { print ""; next }
        s = substr($0, i + length(f)); print substr(s, 1, index(s, "\"") - 1) }'
}
# json_num FIELD: each stdin line's numeric value of "FIELD".
json_num() {
    awk -v f="\"$1\":" '{ i = index($0, f); s = substr($0, i + length(f)); print s + 0 }'
}

# ---- stratified -n: exactly N, the largest-remainder allocation ----

# alloc N COUNTS_FILE: "value seats" lines, computed independently: floor
# each, leftover to the largest remainders, ties to the smaller value bytes.
alloc() {
    awk -v N="$1" '{ c[$2] = $1; t += $1 } END {
        n = N < t ? N : t; g = 0
        for (v in c) { f[v] = int(n * c[v] / t); r[v] = n * c[v] - f[v] * t; g += f[v] }
        for (v in c) printf "%020.0f %s %d\n", 1e15 - r[v], v, f[v]
        print "LEFT", n - g
    }' "$2" | sort -k1,1 -k2,2 | awk '
        $1 == "LEFT" { left = $2; next } { v[NR] = $2; f[NR] = $3; k = NR }
        END { for (i = 1; i <= k; i++) print v[i], f[i] + (i <= left) }' | sort
}

json_field level <"$J" | sort | uniq -c >"$T/level_counts"
# --min-per-stratum 0: the plain allocation (the default minimum of 1 is
# tests/e2e/test_contract.sh's and test_stratified's).
for n in 1000 7 1; do
    run "$L" sample --strata level -n "$n" --min-per-stratum 0 --seed 3 "$J"
    expect_eq "--strata level -n $n: exit" 0 "$RC"
    expect_eq "--strata level -n $n: total" "$n" "$(lines_of "$T/out")"
    expect_eq "--strata level -n $n: per-level counts are the largest-remainder allocation" \
        "$(alloc "$n" "$T/level_counts" | awk '$2 > 0')" \
        "$(json_field level <"$T/out" | sort | uniq -c | awk '{ print $2, $1 }')"
    is_subsequence "$T/out" "$J" && pass || fail "--strata level -n $n: not a subsequence of the input"
done
run "$L" sample --strata level -n 30000 "$J"
expect_output_file "$J"
# The default --min-per-stratum 1: every level has a record at -n 7.
run "$L" sample --strata level -n 7 --seed 3 "$J"
expect_eq "--strata level -n 7: every level drawn" "$(json_field level <"$J" | sort -u)" \
    "$(json_field level <"$T/out" | sort -u)"

# --per-stratum: min(N, N_h) from each level.
run "$L" sample --strata level --per-stratum 50 "$J"
expect_eq "--per-stratum 50: per-level counts" \
    "$(awk '{ print $2, ($1 < 50 ? $1 : 50) }' "$T/level_counts")" \
    "$(json_field level <"$T/out" | sort | uniq -c | awk '{ print $2, $1 }')"

# --fractions: rate 1 keeps the stratum whole, rate 0 and unnamed strata
# (no '*') nothing.
run "$L" sample --strata level --fractions 'ERROR=1,WARN=0' "$J"
grep '"level":"ERROR"' "$J" >"$T/errors"
expect_output_file "$T/errors"
run "$L" sample --strata level --fractions 'ERROR=1,*=0.1' --emit-weight "$J"
expect_eq "--fractions --emit-weight: ERROR records weigh 1" "" \
    "$(grep '"level":"ERROR"' "$T/out" | grep -v '"_weight":1}$' | head -3)"
expect_eq "--fractions --emit-weight: others weigh 1/0.1" "" \
    "$(grep -v '"level":"ERROR"' "$T/out" | grep -v '"_weight":10}$' | head -3)"

# ---- cluster ----

run "$L" sample --cluster user --rate 0.05 --seed 11 "$J"
expect_eq "--cluster user --rate 0.05: exit" 0 "$RC"
json_field user <"$J" | sort | uniq -c | awk '{ print $2, $1 }' >"$T/users_in"
json_field user <"$T/out" | sort | uniq -c | awk '{ print $2, $1 }' >"$T/users_out"
expect_eq "--cluster user --rate 0.05: no user split (output count = input count)" "" \
    "$(join "$T/users_out" "$T/users_in" | awk '$2 != $3' | head -3)"
users=$(lines_of "$T/users_in")
kept=$(lines_of "$T/users_out")
awk -v u="$users" -v k="$kept" 'BEGIN { m = u * 0.05; sd = sqrt(u * 0.05 * 0.95); exit !(k > m - 5 * sd && k < m + 5 * sd && k > 0) }' &&
    pass || fail "--cluster user --rate 0.05: $kept of $users users kept (binomial 5 sd bound)"
is_subsequence "$T/out" "$J" && pass || fail "--cluster: not a subsequence of the input"
# The same users whatever the input layout (decisions depend on seed and value only).
head -n 8000 "$J" >"$T/part1"
tail -n +8001 "$J" >"$T/part2"
run "$L" sample --cluster user --rate 0.05 --seed 11 "$T/part2" "$T/part1"
expect_eq "--cluster: other file layout, same users" "$(cut -d' ' -f1 "$T/users_out")" \
    "$(json_field user <"$T/out" | sort -u)"
# --clusters M: exactly M users.
run "$L" sample --cluster user --clusters 25 "$J"
expect_eq "--clusters 25: distinct users" 25 "$(json_field user <"$T/out" | sort -u | wc -l | tr -d ' ')"
# --within-size 1: one record per kept user.
run "$L" sample --cluster user --rate 0.2 --within-size 1 "$J"
expect_eq "--within-size 1: one record per user" "" \
    "$(json_field user <"$T/out" | sort | uniq -d | head -3)"
run "$L" sample --cluster user --rate 0.25 --within-rate 0.5 --emit-weight "$J"
expect_eq "--rate 0.25 --within-rate 0.5 --emit-weight: every weight 8" "" \
    "$(grep -v '"_weight":8}$' "$T/out" | head -3)"

# ---- weighted ----

run "$L" sample --weight latency_ms -n 100 "$J"
expect_eq "--weight latency_ms -n 100: exit" 0 "$RC"
expect_eq "--weight latency_ms -n 100: size" 100 "$(lines_of "$T/out")"
is_subsequence "$T/out" "$J" && pass || fail "--weight: not a subsequence of the input"
# Drawn with probability growing with the weight: the sample's mean latency
# exceeds the population's (for these heavy-tailed latencies, by far).
pm=$(json_num latency_ms <"$J" | awk '{ s += $1 } END { print s / NR }')
sm=$(json_num latency_ms <"$T/out" | awk '{ s += $1 } END { print s / NR }')
awk -v p="$pm" -v s="$sm" 'BEGIN { exit !(s > p) }' && pass ||
    fail "--weight latency_ms: sample mean $sm not above population mean $pm"

run "$L" sample --format tsv --header --weight 6 -n 50 --emit-weight "$TSV"
expect_eq "tsv --header --weight 6 -n 50 --emit-weight: exit" 0 "$RC"
expect_eq "--emit-weight: header gains _weight" "$(head -n 1 "$TSV")	_weight" "$(head -n 1 "$T/out")"
expect_eq "--emit-weight: 50 records after the header" 50 "$(tail -n +2 "$T/out" | wc -l | tr -d ' ')"
expect_eq "--emit-weight: one more column, weight >= latency" "" \
    "$(tail -n +2 "$T/out" | awk -F'\t' 'NF != 9 || $9 + 0 < $6 + 0' | head -3)"
tail -n +2 "$T/out" | cut -f1-8 >"$T/stripped"
is_subsequence "$T/stripped" "$TSV" && pass || fail "--emit-weight: records (less _weight) not from the input"
run "$L" sample --format tsv --header --weight latency_ms -n 50 "$TSV"
expect_eq "--weight by header name: 51 lines" 51 "$(lines_of "$T/out")"

# ---- systematic ----

run "$L" sample --every 100 --start 5 "$J"
awk 'NR % 100 == 6' "$J" >"$T/every"
expect_output_file "$T/every"
run "$L" sample --header --every 10 --start 0 "$TSV"
awk 'NR == 1 || (NR - 2) % 10 == 0' "$TSV" >"$T/every_h"
expect_output_file "$T/every_h"

# ---- snowball ----

printf 'A\tB\nB\tC\nC\tA\nA\tA\nC\tD\nX\tY\nD\tE\n' >"$T/edges.tsv"
printf 'A\n' >"$T/seeds"
run "$L" sample --snowball --seeds "$T/seeds" --link 1:2 --format tsv --emit-wave --waves 2 "$T/edges.tsv"
expect_eq "--snowball --waves 2 --emit-wave" "$(printf 'A\tB\t0\nA\tA\t0\nB\tC\t1\nC\tA\t2\nC\tD\t2')" \
    "$(cat "$T/out")"

# One pass per wave, one header: --header writes the header once, first.
{ printf 'src\tdst\n'; cat "$T/edges.tsv"; } >"$T/edges_h.tsv"
run "$L" sample --snowball --seeds "$T/seeds" --link src:dst --format tsv --header --waves 3 "$T/edges_h.tsv"
expect_eq "--snowball --header: the header once, then waves 0..3" \
    "$(printf 'src\tdst\nA\tB\nA\tA\nB\tC\nC\tA\nC\tD\nD\tE')" "$(cat "$T/out")"

# ---- stdin for the two-pass designs ----

for d in "--strata level -n 100" "--cluster user --clusters 20" "--strata level --per-stratum 3"; do
    # shellcheck disable=SC2086
    run "$L" sample $d --seed 5 "$J"
    cp "$T/out" "$T/file_form"
    run_sh "cat '$J' | '$L' sample $d --seed 5 --source-name '$J' -v"
    expect_output_file "$T/file_form" || echo "    ($d from stdin)"
done
run_sh "cat '$J' | '$L' sample --strata level -n 100 -v"
grep -q "spooled" "$T/err" && pass || fail "stdin, --strata -n: -v does not say it spooled" "$(cat "$T/err")"
run_sh "cat '$J' | '$L' sample --strata level -n 100 -v -"
grep -q "<stdin>: spooled" "$T/err" && pass || fail "stdin '-': the spool note does not name <stdin>" "$(cat "$T/err")"

# ---- usage errors: exit 2, one line ----

for args in "--strata level" "--cluster user" "--cluster user --within-rate 0.5" "--weight x" \
    "--fractions A=1" "--fractions A=1 --rate 0.5" "--snowball --link 1:2" \
    "--strata level -n 5 --per-stratum 3" "--per-stratum 3" "--clusters 3" \
    "--within-size 2 --rate 0.5" "--emit-wave --rate 0.5" "--every 10 --start 10"; do
    # shellcheck disable=SC2086
    expect_rc 2 "$L" sample $args "$J" && expect_stderr_match '^ladle: '
done
# A named column without --header implies it (issue 9): as with --header.
for d in "--strata level" "--weight latency_ms"; do
    save named "$L" sample --format tsv --header $d -n 10 "$TSV"
    expect_same "$T/named" "$L" sample --format tsv $d -n 10 "$TSV"
done

# ---- --missing error: exit 3, naming the file ----

{ head -n 10 "$J"; echo '{"ts":1,"msg":"no level, no user, no latency"}'; tail -n 10 "$J"; } >"$T/holes.json"
set -f # the design strings hold '*'
for d in "--strata level -n 5" "--strata level --per-stratum 2" "--cluster user --rate 0.5" \
    "--weight latency_ms -n 5" "--strata level --fractions *=0.5"; do
    # shellcheck disable=SC2086
    expect_rc 3 "$L" sample $d --missing error "$T/holes.json" &&
        expect_stderr_match "^ladle: $T/holes.json: "
    # shellcheck disable=SC2086
    run "$L" sample $d "$T/holes.json"
    expect_eq "$d (skip): exit" 0 "$RC"
    grep -q "1 record without a usable field" "$T/err" && pass ||
        fail "$d (skip): the left-out record is not reported" "$(cat "$T/err")"
done
set +f

# a CSV quote never closed (the last record runs to the end) is malformed,
# whatever --missing says; a quoted line end is data
printf 'a,b\n1,"x\n2,y\n3,z\n' >"$T/open-quote.csv"
for policy in skip keep error; do
    expect_rc 3 "$LADLE" sample --format csv --header --strata 2 --per-stratum 5 --missing $policy "$T/open-quote.csv"
    expect_stderr_match "^ladle: .*open-quote.csv: malformed record for field '2' \(record at offset 4; see --malformed\)$"
done
printf 'a,b\n1,"x\n2,y"\n3,z\n' >"$T/quoted-nl.csv"
expect_rc 0 "$LADLE" sample --format csv --header --strata 2 --per-stratum 5 "$T/quoted-nl.csv"
expect_eq "quoted line end is data" "$(cat "$T/quoted-nl.csv")" "$(cat "$T/out")"

finish
