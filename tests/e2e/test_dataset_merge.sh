#!/usr/bin/env bash
# `ladle merge -o DIR PARTDIR...` (issue 11): dataset folders written by
# `ladle split` over disjoint parts of the inputs, joined into one dataset.
# For a ratios split, one with --by and a time split, with K = 1..4 part
# folders over disjoint, ordered subsets of the inputs, every split of the
# join, read in manifest order (zstd -dc of each shard), is byte-identical
# to one `ladle split -o DIR` over all the inputs, and `ladle verify` passes;
# joins group freely ((1,2) then (that,3) = (1,2,3)); the parts are left
# byte for byte as they were. Refused, with DIR as it was (absent, or an
# existing dataset untouched) and no temporary folder: settings that
# differ (the setting and both folders named), a source in two parts, a
# damaged part (a shard's byte changed), --stratify/--balance (pointing to
# ladle-mpi split), a part given twice, DIR among or inside the parts.
# --force replaces DIR; across file systems the shards are copied. SIGTERM
# during a join of large parts leaves no DIR and no temporary folder (or a
# whole, verified DIR when the join ended first).
# Under LADLE_TEST_SCALE=smoke (sanitizer builds): 2 of the 4 groupings, N = 1 and 3,
# parts of 100,000 records for SIGTERM.
# When `ladle split --part` records its part: for the same three designs, N
# = 1..4 parts (files cut into byte ranges) given in reverse order join in
# part order into one run's splits; (3,1) then (2, that) too; a part twice,
# parts of other inputs and --part folders with whole-file ones are refused.
. "$(dirname "$0")/lib.sh"
L=$LADLE
command -v zstd >/dev/null || skip "zstd is needed"
command -v jq >/dev/null || skip "jq is needed"
command -v sha256sum >/dev/null || skip "sha256sum is needed"

# json FILE FROM TO: records FROM..TO with a user and a timestamp.
json() {
    awk -v a="$2" -v b="$3" 'BEGIN { for (i = a; i <= b; i++)
        printf "{\"ts\":\"2024-05-01T%02d:%02d:%02dZ\",\"user\":\"u%d\",\"i\":%d}\n",
            (i / 3600) % 24, (i / 60) % 60, i % 60, i * 7 % 97, i }' >"$1"
}
# splitcat DIR SPLIT: the split's records, its shards read in manifest order.
splitcat() {
    local f
    jq -r --arg s "$2" '.splits[] | select(.name == $s) | .shards[].file' "$1/manifest.json" |
        while IFS= read -r f; do zstd -dc "$1/$f"; done
}
# same_splits WHAT ONE TWO SPLITS...: byte-identical splits, in manifest order.
same_splits() {
    local what=$1 one=$2 two=$3 s
    shift 3
    for s in "$@"; do
        splitcat "$one" "$s" >"$T/s1"
        splitcat "$two" "$s" >"$T/s2"
        if [ -s "$T/s1" ] && cmp -s "$T/s1" "$T/s2"; then pass; else
            fail "$what: split $s differs from one run's" "$(show_diff "$T/s1" "$T/s2")"
        fi
    done
}
verify_ok() {
    if $L verify "$2" >"$T/vout" 2>"$T/verr"; then pass; else fail "$1: ladle verify $2" "$(head -5 "$T/verr")"; fi
}
snapshot() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum); }
no_tmp() {
    local left
    left=$(find "$T" -name '.ladle-tmp-*' 2>/dev/null | head -3)
    expect_eq "$1: no temporary folder left" "" "$left"
}
# refused WHAT RC PATTERN ARGS...: ladle merge ARGS exits RC, saying PATTERN.
refused() {
    local what=$1 want=$2 pat=$3
    shift 3
    timeout "$E2E_TIMEOUT" $L merge "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    expect_eq "$what: exit status" "$want" "$rc"
    if grep -q -- "$pat" "$T/err"; then pass; else fail "$what: message says '$pat'" "$(cat "$T/err")"; fi
}

for i in 1 2 3 4; do json "$T/in$i.jsonl" $((i * 5000)) $((i * 5000 + 4999)); done
IN=("$T/in1.jsonl" "$T/in2.jsonl" "$T/in3.jsonl" "$T/in4.jsonl")
# The groupings of the 4 inputs into K = 1..4 ordered, disjoint parts.
PARTINGS=("1234" "12 34" "1 23 4" "1 2 3 4")
smoke && PARTINGS=("12 34" "1 2 3 4")

check_design() {
    local name=$1 splits=$2
    shift 2
    local opts=("$@") g k p parts dirs
    $L split "${opts[@]}" --shard-records 700 -o "$T/$name.all" "${IN[@]}" 2>"$T/err" ||
        fail "$name: split over all the inputs" "$(cat "$T/err")"
    for g in "${PARTINGS[@]}"; do
        dirs=()
        k=0
        for p in $g; do
            k=$((k + 1))
            parts=()
            for ((c = 0; c < ${#p}; c++)); do parts+=("$T/in${p:c:1}.jsonl"); done
            rm -rf "$T/$name.p$k"
            $L split "${opts[@]}" --shard-records 700 -o "$T/$name.p$k" "${parts[@]}" 2>"$T/err" ||
                fail "$name [$g]: split of part $k" "$(cat "$T/err")"
            dirs+=("$T/$name.p$k")
        done
        snapshot "$T/$name.p1" >"$T/snap"
        rm -rf "$T/$name.join"
        if $L merge -o "$T/$name.join" "${dirs[@]}" 2>"$T/err"; then pass; else
            fail "$name [$g]: ladle merge" "$(cat "$T/err")"
        fi
        # shellcheck disable=SC2086
        same_splits "$name [$g]" "$T/$name.all" "$T/$name.join" $splits
        verify_ok "$name [$g]" "$T/$name.join"
        if (cd "$T/$name.p1" && sha256sum --quiet -c "$T/snap" >/dev/null 2>&1); then pass; else
            fail "$name [$g]: a part folder changed"
        fi
        expect_eq "$name [$g]: the join's record count" \
            "$(jq '[.splits[].records] | add' "$T/$name.all/manifest.json")" \
            "$(jq '[.splits[].records] | add' "$T/$name.join/manifest.json")"
    done
    # Any grouping: (1,2) then (that,3) then (that,4) = (1,2,3,4).
    rm -rf "$T/$name.j12" "$T/$name.j123" "$T/$name.j1234"
    $L merge -o "$T/$name.j12" "$T/$name.p1" "$T/$name.p2" &&
        $L merge -o "$T/$name.j123" "$T/$name.j12" "$T/$name.p3" &&
        $L merge -o "$T/$name.j1234" "$T/$name.j123" "$T/$name.p4" 2>"$T/err" ||
        fail "$name: joins of joins" "$(cat "$T/err")"
    # shellcheck disable=SC2086
    same_splits "$name: ((1,2),3),4" "$T/$name.all" "$T/$name.j1234" $splits
    verify_ok "$name: ((1,2),3),4" "$T/$name.j1234"
}

check_design ratios "train val test" --ratios train=0.8,val=0.1,test=0.1 --seed 7
check_design by "train val test" --ratios train=0.7,val=0.2,test=0.1 --by user --seed 3
check_design time "early mid late" --ratios early,mid,late --time-field ts \
    --cutoffs 2024-05-01T03:00:00Z,2024-05-01T05:00:00Z --allow-empty

# ---- refusals: DIR as it was, and nothing temporary left
P1=$T/ratios.p1 P2=$T/ratios.p2 P3=$T/ratios.p3
$L split --ratios train=0.8,val=0.1,test=0.1 --seed 8 --shard-records 700 -o "$T/seed8" "$T/in3.jsonl" 2>/dev/null
refused "another seed" 2 '"seed" is 7 in the first, 8 in the second' -o "$T/no" "$P1" "$T/seed8"
grep -q "$P1 and $T/seed8" "$T/err" && pass || fail "another seed: both folders named" "$(cat "$T/err")"
$L split --ratios train=0.8,val=0.1,test=0.1 --seed 7 --shard-records 900 -o "$T/sr900" "$T/in3.jsonl" 2>/dev/null
refused "other shard settings" 2 '"shard_records" is 700' -o "$T/no" "$P1" "$T/sr900"
$L split --ratios train=0.8,val=0.2 --seed 7 --shard-records 700 -o "$T/two" "$T/in3.jsonl" 2>/dev/null
refused "other ratios" 2 '"ratios"' -o "$T/no" "$P1" "$T/two"
$L split --ratios train=0.8,val=0.1,test=0.1 --seed 7 --shard-records 700 -o "$T/again1" "$T/in1.jsonl" 2>/dev/null
refused "a shared source" 2 "both hold source 'in1.jsonl'" -o "$T/no" "$P1" "$T/again1"
refused "a part given twice" 2 "given twice" -o "$T/no" "$P1" "$P2" "$P1"
$L split --ratios train=0.8,val=0.2 --stratify user --seed 7 -o "$T/strat" "$T/in3.jsonl" 2>/dev/null
refused "--stratify" 2 "ladle-mpi split" -o "$T/no" "$T/strat"
$L split --ratios train=0.8,val=0.2 --balance user --seed 7 -o "$T/bal" "$T/in3.jsonl" 2>/dev/null
refused "--balance" 2 "ladle-mpi split" -o "$T/no" "$T/bal"
$L split --ratios train=0.8,val=0.1,test=0.1 --rate 0.5 --seed 7 --shard-records 700 -o "$T/smp" "$T/in4.jsonl" 2>/dev/null
refused "a sample" 2 "design bernoulli" -o "$T/no" "$P1" "$T/smp"
refused "DIR among the parts" 2 "is this folder" --force -o "$P2" "$P1" "$P2"
refused "DIR inside a part" 2 "is inside it" -o "$P2/joined" "$P1" "$P2"
refused "no -o value" 2 "needs a value" "$P1" -o
refused "no folders" 2 "give the dataset folders" -o "$T/no"
cp -a "$P2" "$T/damaged"
f=$T/damaged/$(jq -r '.splits[0].shards[0].file' "$T/damaged/manifest.json")
chmod u+w "$f"
printf 'X' | dd of="$f" bs=1 seek=40 conv=notrunc 2>/dev/null
refused "a damaged part" 3 "not a sound dataset" -o "$T/no" "$P1" "$T/damaged"
[ -e "$T/no" ] && fail "refusals: $T/no exists" || pass
# An existing dataset in DIR stays as it was when refused; --force replaces it.
snapshot "$T/ratios.j12" >"$T/snapj"
refused "an existing DIR" 4 "not empty" -o "$T/ratios.j12" "$P3"
refused "an existing DIR, mismatched" 2 '"seed"' --force -o "$T/ratios.j12" "$P3" "$T/seed8"
if (cd "$T/ratios.j12" && sha256sum --quiet -c "$T/snapj" >/dev/null 2>&1) &&
    [ "$(snapshot "$T/ratios.j12" | wc -l)" = "$(wc -l <"$T/snapj")" ]; then pass; else
    fail "a refused join changed the existing DIR"
fi
if $L merge --force -o "$T/ratios.j12" "$P3" "$T/ratios.p4" 2>"$T/err"; then pass; else fail "--force" "$(cat "$T/err")"; fi
verify_ok "--force" "$T/ratios.j12"
expect_eq "--force: the new dataset's sources" "in3.jsonl in4.jsonl" \
    "$(jq -r '[.sources[].stem] | join(" ")' "$T/ratios.j12/manifest.json")"
no_tmp "refusals"

# ---- across file systems the shards are copied, not linked
if [ -d /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$T")" ] &&
    SHM=$(mktemp -d /dev/shm/ladle-e2e.XXXXXX 2>/dev/null); then
    trap 'rm -rf "$SHM"; e2e_cleanup' EXIT
    if $L merge -v -o "$SHM/join" "$P1" "$P2" 2>"$T/err"; then pass; else fail "copied: merge" "$(cat "$T/err")"; fi
    grep -q "0 linked, [1-9][0-9]* copied" "$T/err" && pass || fail "copied: the summary" "$(cat "$T/err")"
    $L merge -o "$T/linked" "$P1" "$P2" 2>/dev/null
    same_splits "copied" "$T/linked" "$SHM/join" train val test
    verify_ok "copied" "$SHM/join"
    rm -rf "$SHM"
else
    note "no second file system at /dev/shm: the copy of shards not checked"
fi

# ---- --part folders (when the option exists): part order, whatever the argument order
# part_design NAME SPLITS OPTIONS...: N = 1..4 parts of all the inputs (files cut
# into byte ranges), joined in reverse order, equal one run over all of them.
part_design() {
    local name=$1 splits=$2 n k dirs
    shift 2
    for n in $(reps 1 2 3 4 -- 1 3); do
        dirs=()
        for ((k = n; k >= 1; k--)); do
            rm -rf "$T/$name.k$k"
            $L split --part "$k/$n" "$@" --shard-records 700 -o "$T/$name.k$k" "${IN[@]}" 2>"$T/err" ||
                fail "$name --part $k/$n" "$(cat "$T/err")"
            dirs+=("$T/$name.k$k")
        done
        rm -rf "$T/$name.kjoin"
        if $L merge -o "$T/$name.kjoin" "${dirs[@]}" 2>"$T/err"; then pass; else
            fail "$name: merge of --part n..1 of $n" "$(cat "$T/err")"
        fi
        # shellcheck disable=SC2086
        same_splits "$name: --part n..1 of $n" "$T/$name.all" "$T/$name.kjoin" $splits
        verify_ok "$name: --part of $n" "$T/$name.kjoin"
    done
}
if $L split --part 1/3 --ratios train=0.8,val=0.1,test=0.1 --seed 7 -o "$T/k1" "${IN[@]}" 2>/dev/null &&
    [ "$(jq -c .part.n "$T/k1/manifest.json")" = 3 ]; then
    part_design ratios "train val test" --ratios train=0.8,val=0.1,test=0.1 --seed 7
    part_design by "train val test" --ratios train=0.7,val=0.2,test=0.1 --by user --seed 3
    part_design time "early mid late" --ratios early,mid,late --time-field ts \
        --cutoffs 2024-05-01T03:00:00Z,2024-05-01T05:00:00Z --allow-empty
    $L split --ratios train=0.8,val=0.1,test=0.1 --seed 7 -o "$T/kall" "${IN[@]}"
    for k in 2 3; do $L split --part $k/3 --ratios train=0.8,val=0.1,test=0.1 --seed 7 -o "$T/k$k" "${IN[@]}"; done
    if $L merge -o "$T/k321" "$T/k3" "$T/k2" "$T/k1" 2>"$T/err"; then pass; else fail "--part: merge" "$(cat "$T/err")"; fi
    same_splits "--part 3,2,1" "$T/kall" "$T/k321" train val test
    expect_eq "--part: the join records its parts" '{"n":3,"k":[1,2,3]}' "$(jq -c "{n: .parts.n, k: .parts.k}" "$T/k321/manifest.json")"
    $L merge -o "$T/k31" "$T/k3" "$T/k1" && $L merge -o "$T/k31_2" "$T/k2" "$T/k31" ||
        fail "--part: (3,1) then (2, that)"
    same_splits "--part (3,1),2" "$T/kall" "$T/k31_2" train val test
    verify_ok "--part (3,1),2" "$T/k31_2"
    refused "--part: a part twice" 2 "part 1/3 is in both" -o "$T/no" "$T/k31" "$T/k1"
    $L split --part 2/3 --ratios train=0.8,val=0.1,test=0.1 --seed 7 -o "$T/kother" "${IN[@]:1}"
    refused "--part: parts of other inputs" 2 "parts of different runs" -o "$T/no" "$T/k1" "$T/kother"
    refused "--part and whole files" 2 "not both" -o "$T/no" "$T/ratios.k1" "$T/ratios.p4"
else
    note "ladle split --part writes no \"part\" in its manifest yet: part-numbered joins not checked"
fi

# ---- SIGTERM during joins of large parts: no DIR, no temporary folder
# (smoke: 100,000 records a part, joins under a sanitizer being slower anyway)
big=$(reps 300000 -- 100000)
for i in 1 2 3; do json "$T/big$i.jsonl" $((i * 400000)) $((i * 400000 + big - 1)); done
for i in 1 2 3; do
    $L split --ratios train=0.9,test=0.1 --shard-records 5000 -o "$T/big.p$i" "$T/big$i.jsonl" 2>/dev/null
done
hit=0
for d in 0.05 0.1 0.2 0.3 0.5 0.8; do
    rm -rf "$T/bigjoin"
    $L merge -o "$T/bigjoin" "$T/big.p1" "$T/big.p2" "$T/big.p3" 2>"$T/err" &
    pid=$!
    sleep "$d"
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    if [ "$rc" = 143 ]; then
        hit=$((hit + 1))
        if [ ! -e "$T/bigjoin" ]; then
            pass
        elif grep -q "the join had ended: $T/bigjoin is committed" "$T/err"; then
            # the signal came after the commit: 143, and a whole dataset it names
            verify_ok "SIGTERM after ${d}s, after the commit" "$T/bigjoin"
        else
            fail "SIGTERM after ${d}s: $T/bigjoin exists and no message says it is committed" \
                "$(ls -a "$T/bigjoin"; cat "$T/err")"
        fi
    elif [ "$rc" = 0 ]; then
        verify_ok "the join that ended before SIGTERM (${d}s)" "$T/bigjoin"
    else
        fail "SIGTERM after ${d}s: exit $rc" "$(cat "$T/err")"
    fi
    no_tmp "SIGTERM after ${d}s"
done
note "SIGTERM came during $hit of 6 joins"
[ "$hit" -gt 0 ] && pass || fail "no SIGTERM came during a join (every join ended first)"
finish
