#!/usr/bin/env bash
# pin_outputs.sh LADLE LADLE_GEN [WORKDIR]: prints "sha256  case" for the
# output of every command bench/run measures and every command scripts/demo
# runs (plus the other designs and split modes), each at two seeds, on small
# generated data read in 64 KiB chunks so that every run spans many chunks.
#
# tests/pin/outputs.sha256 holds the figures of the reproducibility contract
# in force (include/ladle/ladle.h LADLE_CONTRACT_VERSION); the ctest "pin"
# compares against it. A refactor must leave every line unchanged; a change
# that changes which records a command keeps bumps the contract and rewrites
# the file on purpose:  tests/pin/pin_outputs.sh build/ladle build/ladle-gen > tests/pin/outputs.sha256
# For a split, the hash covers every file of the dataset (names and bytes).
set -euo pipefail
ladle=$(realpath "$1") gen=$(realpath "$2")
work=${3:-$(mktemp -d)}
mkdir -p "$work/bin"
trap '[ -n "${3:-}" ] || rm -rf "$work"' EXIT
# argv[0] goes into the manifest: call the binary "ladle" whatever its path.
ln -sf "$ladle" "$work/bin/ladle"
export PATH="$work/bin:$PATH"
cd "$work"

"$gen" --format json --records 40000 --seed 11 > data.jsonl
"$gen" --format json --records 15000 --seed 12 > data2.jsonl
"$gen" --format tsv --header --records 30000 --seed 13 > data.tsv
zstd -q -f -3 data.jsonl -o data.jsonl.zst
zstd -q -f -3 data2.jsonl -o data2.jsonl.zst
gzip -n -c data.jsonl > data.jsonl.gz
# snowball: seeds are users, links user -> session (edges in the log)
awk -F'"user":"' 'NR <= 5 { split($2, a, "\""); print a[1] }' data.jsonl > seeds.txt

E="--chunk-size 64K --threads 2"
cases=(
    # bench/run rows
    "rate-jsonl|sample --rate 0.01 $E data.jsonl"
    "rate-tsv|sample --rate 0.01 $E data.tsv"
    "n1000|sample -n 1000 $E data.jsonl"
    "rate-zst|sample --rate 0.01 $E data.jsonl.zst"
    "rate-gz|sample --rate 0.01 $E data.jsonl.gz"
    "rate-two-zst|sample --rate 0.01 $E data.jsonl.zst data2.jsonl.zst"
    "head10|sample --head 10 data.jsonl"
    "cluster-rate|sample --cluster user --rate 0.01 $E data.jsonl"
    "strata-n|sample --strata level -n 1000 $E data.jsonl"
    "weight-tsv|sample --format tsv --header --weight 6 -n 1000 $E data.tsv"
    "strata-per|sample --strata level --per-stratum 10 $E data.jsonl"
    "split-by-user|split -o ds --force --ratios train=0.8,val=0.1,test=0.1 --by user --level 1 --shard-records 5000 $E data.jsonl.zst"
    # scripts/demo
    "demo-head2|sample --head 2 data.jsonl.zst"
    "demo-n3|sample -n 3 data.jsonl.zst"
    "demo-rate-t1|sample --rate 0.01 --threads 1 data.jsonl.zst"
    "demo-stats|stats --field level data.jsonl.zst"
    "demo-strata10|sample --strata level -n 10 data.jsonl.zst"
    "demo-split-balance|split -o ds --force --ratios train=0.8,val=0.1,test=0.1 --by user --balance level --balance-mode ratio:20 $E data.jsonl.zst"
    # the other designs and options
    "n-shuffle|sample -n 500 --shuffle $E data.jsonl.gz"
    "every|sample --every 97 $E data.jsonl"
    "every-start|sample --every 50 --start 3 $E data.tsv"
    "strata-fractions|sample --strata level --fractions ERROR=1,WARN=0.2,*=0.01 $E data.jsonl"
    "strata-min|sample --strata level -n 100 --min-per-stratum 5 $E data.jsonl"
    "clusters-m|sample --cluster user --clusters 20 --emit-weight $E data.jsonl"
    "clusters-within|sample --cluster user --clusters 30 --within-size 2 $E data.jsonl"
    "cluster-within-rate|sample --cluster session --rate 0.05 --within-rate 0.5 --emit-weight $E data.jsonl"
    "weight-emit|sample --weight latency_ms -n 300 --emit-weight $E data.jsonl"
    "weight-csv|sample --format csv -d \$'\\t' --header --weight latency_ms -n 100 $E data.tsv"
    "snowball|sample --snowball --seeds seeds.txt --link user:session --waves 2 --emit-wave $E data.jsonl"
    "snowball-max|sample --snowball --seeds seeds.txt --link user:session --max-nodes 3 $E data.jsonl"
    "regex-strata|sample --strata 're:\"level\":\"([A-Z]+)\"' -n 50 $E data.jsonl"
    "missing-keep|sample --strata nosuch --missing keep -n 20 $E data.jsonl"
    "stats-top|stats --field user --top 5 $E data.jsonl"
    "stats-plain|stats $E data.jsonl.zst data.tsv"
    "sample-o|sample --rate 0.1 -o ds --force --shard-records 1000 $E data.jsonl"
    "split-shuffle|split -o ds --force --ratios a=0.5,b=0.5 --shuffle $E data.jsonl"
    "split-stratify|split -o ds --force --ratios train=0.9,test=0.1 --stratify level $E data.jsonl"
    "split-time|split -o ds --force --ratios old,mid,new --time-field ts --cutoffs 2026-11-01T00:00:12Z,2026-11-01T00:00:30Z $E data.jsonl"
    "split-over|split -o ds --force --ratios train=0.8,test=0.2 --by session --balance level --balance-mode over $E data.jsonl"
    "split-cap-rate|split -o ds --force --ratios train=0.7,test=0.3 --rate 0.5 --balance level --balance-mode cap:100 --balance-splits train,test $E data.tsv --format tsv --header"
)

empty=$(: | sha256sum) empty=${empty%% *}
for seed in 1 2; do
    for c in "${cases[@]}"; do
        name=${c%%|*} args=${c#*|}
        rm -rf ds
        # stats prints its run time: every line but that one is pinned
        case $args in stats*) s="| sed '/^time /d'" ;; *) s="--seed $seed" ;; esac
        if ! out=$(eval "ladle $args $s" 2>/dev/null | sha256sum); then
            echo "pin_outputs.sh: $name (seed $seed) failed: ladle $args $s" >&2
            eval "ladle $args $s" >/dev/null || true
            exit 1
        fi
        if [ -d ds ]; then
            out=$( (cd ds && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum)
        fi
        # a case that writes nothing pins nothing: it is a broken case
        [ "${out%% *}" != "$empty" ] || { echo "pin_outputs.sh: $name wrote nothing" >&2; exit 1; }
        echo "${out%% *}  $name.s$seed"
    done
done
