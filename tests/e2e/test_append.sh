#!/usr/bin/env bash
# `ladle split --append -o DIR FILES` (issue 10, item 5): a record's split
# depends only on the seed and its (source id, offset) or its --by key, so
# `split -o TWO A B` then `split --append -o TWO C` puts every record where
# the one-shot `split -o ONE A B C` does. Checked for a hash split, --by, a
# time split and a --header TSV: every split holds the same multiset of
# records with the same count in the manifest, existing shard files are
# byte for byte unchanged, `ladle verify` passes after each append; a source
# already in DIR, --stratify, --balance and sampling designs are refused
# (exit 2) with DIR unchanged; an append that fails mid-way (a missing
# input) leaves DIR as it was.
. "$(dirname "$0")/lib.sh"
L=$LADLE
command -v zstd >/dev/null || skip "zstd is needed"
command -v sha256sum >/dev/null || skip "sha256sum is needed"

# json FILE FROM TO: records FROM..TO with a user and a timestamp.
json() {
    awk -v a="$2" -v b="$3" 'BEGIN { for (i = a; i <= b; i++)
        printf "{\"ts\":\"2024-05-01T%02d:%02d:%02dZ\",\"user\":\"u%d\",\"i\":%d}\n",
            (i / 3600) % 24, (i / 60) % 60, i % 60, i * 7 % 97, i }' >"$1"
}
# tsv FILE FROM TO: a header and records FROM..TO.
tsv() {
    { printf 'ts\tuser\ti\n'; awk -v a="$2" -v b="$3" 'BEGIN { for (i = a; i <= b; i++)
        printf "%d\tu%d\t%d\n", 1714521600 + i, i * 7 % 97, i }'; } >"$1"
}
# records DIR SPLIT: the split's records, sorted (a header line left out).
records() {
    local f hdr=$3
    for f in "$1/$2"/part-*; do
        [ -e "$f" ] || continue
        if [ "$hdr" = 1 ]; then zstd -dc "$f" | tail -n +2; else zstd -dc "$f"; fi
    done | LC_ALL=C sort
}
# count DIR SPLIT: the split's record count in DIR's manifest.
count() { jq -r --arg s "$2" '.splits[] | select(.name == $s) | .records' "$1/manifest.json"; }
# snapshot DIR: the bytes of every file in DIR (names and sha256).
snapshot() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum); }
# same_dataset WHAT ONE TWO HDR SPLITS...: the same records in every split.
same_dataset() {
    local what=$1 one=$2 two=$3 hdr=$4 s
    shift 4
    for s in "$@"; do
        records "$one" "$s" "$hdr" >"$T/r1"
        records "$two" "$s" "$hdr" >"$T/r2"
        if cmp -s "$T/r1" "$T/r2"; then pass; else fail "$what: split $s differs" "$(show_diff "$T/r1" "$T/r2")"; fi
        expect_eq "$what: split $s's count in the manifest" "$(count "$one" "$s")" "$(count "$two" "$s")"
    done
}
# kept_files WHAT DIR: the files listed in $T/snap are byte-unchanged.
kept_files() {
    if (cd "$2" && sha256sum --quiet -c "$T/snap" >/dev/null 2>&1); then pass; else
        fail "$1: existing shards changed" "$(cd "$2" && sha256sum -c "$T/snap" 2>&1 | grep -v OK | head -5)"
    fi
}
verify_ok() {
    run $L verify "$2"
    if [ "$RC" = 0 ]; then pass; else fail "$1: ladle verify $2" "$(head -5 "$T/err" "$T/out")"; fi
}

cd "$T" || exit 1
json a.jsonl 1 3000
json b.jsonl 3001 5000
json c.jsonl 5001 9000
zstd -q c.jsonl -o c.jsonl.zst
json d.jsonl 9001 9500

# A case: one-shot over A B C against A B, then C appended (then D).
# case NAME HDR SPLITS OPTIONS -- A B C [D]
append_case() {
    local name=$1 hdr=$2 splits=$3
    shift 3
    local opts=() files
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    files=("$@")
    local n=${#files[@]}
    rm -rf ONE TWO
    expect_rc 0 $L split -o ONE "${opts[@]}" --shard-records 700 "${files[@]}" || return
    expect_rc 0 $L split -o TWO "${opts[@]}" --shard-records 700 "${files[0]}" "${files[1]}" || return
    for ((i = 2; i < n; i++)); do
        # (the manifest and the cards made from it change with the append)
        snapshot TWO | grep -v -e manifest.json -e README.md -e croissant.json >"$T/snap"
        expect_rc 0 $L split --append -o TWO "${files[$i]}" || return
        kept_files "$name" TWO
        verify_ok "$name" TWO
    done
    # shellcheck disable=SC2086
    same_dataset "$name" ONE TWO "$hdr" $splits
    expect_eq "$name: appends recorded" "$((n - 2))" "$(jq '.appended | length' TWO/manifest.json)"
    expect_eq "$name: sources" "$(jq -c '[.sources[].id]' ONE/manifest.json)" \
        "$(jq -c '[.sources[].id]' TWO/manifest.json)"
}

R=(--ratios train=0.8,val=0.1,test=0.1 --seed 5)
append_case hash 0 "train val test" "${R[@]}" -- a.jsonl b.jsonl c.jsonl.zst d.jsonl
append_case by 0 "train val test" "${R[@]}" --by user -- a.jsonl b.jsonl c.jsonl.zst
append_case time 0 "old mid new" --allow-empty --ratios old,mid,new --time-field ts \
    --cutoffs 2024-05-01T00:40:00Z,2024-05-01T02:00:00Z -- a.jsonl b.jsonl c.jsonl.zst d.jsonl
tsv a.tsv 1 2000
tsv b.tsv 2001 3000
tsv c.tsv 3001 6000
append_case tsv-header 1 "train test" --format tsv --header --ratios train=0.7,test=0.3 \
    --by user -- a.tsv b.tsv c.tsv

# Refusals: exit 2, DIR unchanged.
rm -rf TWO
expect_rc 0 $L split -o TWO "${R[@]}" a.jsonl b.jsonl
snapshot TWO >"$T/snap"
refused() {
    local what=$1 re=$2
    shift 2
    expect_rc 2 "$@" && expect_stderr_match "$re"
    if diff <(snapshot TWO) "$T/snap" >/dev/null; then pass; else fail "$what: TWO changed"; fi
    [ -z "$(find TWO -name '.ladle-tmp-*')" ] && pass || fail "$what: a temporary folder is left"
}
refused "repeated source" "^ladle: b.jsonl: already in TWO \(source 'b.jsonl'" \
    $L split --append -o TWO c.jsonl b.jsonl
mkdir -p copy z
cp a.jsonl copy/a.jsonl
refused "a copy of a source" "^ladle: copy/a.jsonl: already in TWO \(source 'a.jsonl'" \
    $L split --append -o TWO copy/a.jsonl
zstd -q a.jsonl -o z/a.jsonl.zst
refused "a recompressed source" "^ladle: z/a.jsonl.zst: already in TWO" \
    $L split --append -o TWO c.jsonl z/a.jsonl.zst
refused "--stratify" "whole population" $L split --append -o TWO --stratify user c.jsonl
refused "--balance" "whole population" $L split --append -o TWO --balance user c.jsonl
refused "two-pass design" "whole population" $L split --append -o TWO --strata user -n 10 c.jsonl
refused "sampling design" "whole population" $L split --append -o TWO --rate 0.5 c.jsonl
refused "--ratios given" "leave out --ratios" $L split --append -o TWO --ratios a=1 c.jsonl
refused "no dataset" "no dataset here" $L split --append -o "$T" c.jsonl

# A dataset drawn with --stratify cannot be appended to.
rm -rf ST
expect_rc 0 $L split -o ST --ratios train=0.5,test=0.5 --stratify user a.jsonl
expect_rc 2 $L split --append -o ST c.jsonl && expect_stderr_match "whole-population counts"

# An append that fails mid-way (an input that cannot be opened) leaves DIR as it was.
run $L split --append -o TWO c.jsonl no-such.jsonl
if [ "$RC" = 3 ] && diff <(snapshot TWO) "$T/snap" >/dev/null &&
    [ -z "$(find TWO -name '.ladle-tmp-*')" ]; then pass; else
    fail "missing input: exit $RC (expected 3), or TWO changed" "$(cat "$T/err")"
fi
# A file in a split's folder that the manifest does not list: refused, not dropped.
cp TWO/train/part-00000.jsonl.zst TWO/train/part-09999.jsonl.zst
expect_rc 4 $L split --append -o TWO c.jsonl &&
    expect_stderr_match "part-09999.jsonl.zst: not in the manifest"
expect_true "the stray file is kept" test -f TWO/train/part-09999.jsonl.zst
rm TWO/train/part-09999.jsonl.zst
verify_ok "after refusals" TWO
finish
