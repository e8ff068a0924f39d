#!/usr/bin/env bash
# The reproducibility contract and the statistical options of issue 7:
#   version    `ladle --version` names the contract (LADLE_CONTRACT_VERSION
#              in include/ladle/ladle.h)
#   manifest   a dataset's manifest.json records "contract"; `ladle verify`
#              accepts manifests with it and without it (contract 1 had
#              none), and reports one that is not a positive integer
#   strata     --strata F -n N: the warning that names strata left without
#              a record (50/30/15/4/1 population, N = 10: D and E with
#              --min-per-stratum 0, none with the default 1), and the usage
#              errors of --min-per-stratum
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
export LC_ALL=C
cd "$T" || exit 1

# ---------------------------------------------------------------- version
want=$(sed -n 's/^#define LADLE_CONTRACT_VERSION \([0-9]*\).*/\1/p' "$LADLE_SRC/include/ladle/ladle.h")
expect_true "LADLE_CONTRACT_VERSION found in ladle.h" test -n "$want"
run "$L" --version
expect_eq "--version exits 0" 0 "$RC"
expect_true "--version names the contract: $(cat "$T/out")" \
    grep -Eq "^ladle [0-9]+\.[0-9]+\.[0-9]+ \(reproducibility contract $want\)$" "$T/out"
expect_true "the man page states contract $want" \
    grep -q "contract $want" "$LADLE_SRC/man/ladle.1"

# ---------------------------------------------------------------- manifest
for s in A B C D E; do
    case $s in A) n=50 ;; B) n=30 ;; C) n=15 ;; D) n=4 ;; E) n=1 ;; esac
    for i in $(seq "$n"); do printf '%s\t%s%03d\n' "$s" "$s" "$i"; done
done >pop.tsv
expect_rc 0 "$L" split -o ds --ratios a=0.5,b=0.5 --seed 3 pop.tsv
expect_true "manifest records \"contract\": $want" grep -q "^  \"contract\": $want,\$" ds/manifest.json
expect_rc 0 "$L" verify ds
cp -r ds ds1
sed -i '/^  "contract": /d' ds1/manifest.json
expect_true "the contract-1 style manifest has no contract key" \
    sh -c '! grep -q contract ds1/manifest.json'
expect_rc 0 "$L" verify ds1
cp -r ds dsx
sed -i 's/^  "contract": [0-9]*,$/  "contract": "two",/' dsx/manifest.json
expect_rc 3 "$L" verify dsx
expect_true "verify names the bad contract key" grep -q '"contract" is not a positive integer' "$T/err"

# ---------------------------------------------------------------- strata
run "$L" sample --strata 1 -n 10 --min-per-stratum 0 --emit-weight --format tsv pop.tsv
expect_eq "--min-per-stratum 0 exits 0" 0 "$RC"
expect_stderr_match "^ladle: warning: -n 10 gives 2 of 5 strata no record .*: 'D', 'E'\$"
expect_eq "--min-per-stratum 0: weights sum to 95" 95 \
    "$(awk -F'\t' '{ s += $3 } END { print s }' "$T/out")"
run "$L" sample --strata 1 -n 10 --emit-weight --format tsv pop.tsv
expect_eq "default minimum exits 0" 0 "$RC"
expect_stderr_empty
expect_eq "default: every stratum has a record" "A B C D E" \
    "$(cut -f1 "$T/out" | sort -u | tr '\n' ' ' | sed 's/ $//')"
expect_eq "default: weights sum to 100" 100 \
    "$(awk -F'\t' '{ s += $3 } END { print s }' "$T/out")"
expect_eq "default: -n 10 records" 10 "$(wc -l <"$T/out")"
run "$L" sample --strata 1 -n 20 --min-per-stratum 2 --format tsv pop.tsv
expect_eq "--min-per-stratum 2: D has 2" 2 "$(grep -c '^D' "$T/out")"
expect_eq "--min-per-stratum 2: E has its 1" 1 "$(grep -c '^E' "$T/out")"
# N below the strata count: the minimum cannot hold; the warning names them.
run "$L" sample --strata 1 -n 3 --format tsv pop.tsv
expect_eq "-n 3 exits 0" 0 "$RC"
expect_stderr_match "^ladle: warning: -n 3 gives 3 of 5 strata no record .*'C', 'D', 'E'\$"
expect_rc 2 "$L" sample --rate 0.5 --min-per-stratum 1 pop.tsv
expect_stderr_match "--min-per-stratum goes with --strata FIELD -n N"
expect_rc 2 "$L" sample --strata 1 --per-stratum 2 --min-per-stratum 1 --format tsv pop.tsv
expect_rc 2 "$L" sample --strata 1 -n 5 --min-per-stratum x --format tsv pop.tsv
expect_stderr_match "--min-per-stratum: 'x' is not a count"

finish
