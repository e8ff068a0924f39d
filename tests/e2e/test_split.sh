#!/usr/bin/env bash
# ladle split (and ladle sample -o DIR, ladle verify): the dataset contract of
# `ladle split --help`. Each check is a function below:
#   shares        hash split shares within binomial bounds; counts add up
#   union         the shards together are the input (multiset), for plain,
#                 .zst, .gz and stdin inputs
#   grouped       --by: no key in two splits, and a key's split is the same
#                 whatever other files are read with it, in any order
#   time          --time-field/--cutoffs: counts from comparing the ts
#                 strings; the same instants as RFC 3339, epoch s, epoch ms
#                 and with a zone offset give identical shards
#   stratify      --stratify: each class within 1 of total*ratio per split
#   balance       --balance with under, cap:N, ratio:R, over; other splits
#                 untouched; --balance-splits
#   verify        zstd -t, ladle verify; corrupt/delete/extra shards fail it
#   determinism   -t and --chunk-size do not change a byte (smoke scale,
#                 in the sanitizer builds: 2 of the 4 variants)
#   shards        --shard-records, --shard-size, --header, file extensions
#   designs       a design (--rate, -n) then the split; ladle sample -o DIR
#   failures      write errors, signals, non-empty DIR and --force, usage
#                 errors, DIR a file, symlinks: DIR always left as it was
#   commit        --force over a corrupt manifest, dead runs' temporary
#                 folders, a pending commit, verify --repair, a live run's lock
#
# Env: LADLE, LADLE_GEN (an awk fallback makes the same fields when the
# generator does not work). Needs zstd (skips without it) and gzip.
set -u
. "$(dirname "$0")/lib.sh"
L=$LADLE
export LC_ALL=C
command -v zstd >/dev/null || skip "zstd is not installed (needed to read the shards)"
command -v gzip >/dev/null || skip "gzip is not installed"
[ -r /proc/self/status ] || skip "no /proc: cannot tell when ladle's signal handlers are installed"
cd "$T" || exit 1

RATIOS=train=0.8,val=0.1,test=0.1
SEED=7

# ---------------------------------------------------------------- helpers

# gen FILE N SEED [json|tsv] [--header]: ladle-gen's log (fields ts level
# user session status latency_ms path msg; ts RFC 3339 in ms, ascending), or
# the same shape from awk.
gen() {
    local file=$1 n=$2 seed=$3 fmt=${4:-json} hdr=${5:-} want
    want=$n
    [ -n "$hdr" ] && want=$((n + 1))
    # shellcheck disable=SC2086
    if [ -n "${LADLE_GEN:-}" ] && [ -x "$LADLE_GEN" ] &&
        "$LADLE_GEN" --format "$fmt" --records "$n" --seed "$seed" $hdr >"$file" 2>/dev/null &&
        [ "$(lines_of "$file")" = "$want" ]; then
        return 0
    fi
    awk -v n="$n" -v s="$seed" -v fmt="$fmt" -v hdr="$hdr" 'BEGIN {
        srand(s)
        if (hdr != "") print "ts\tlevel\tuser\tsession\tstatus\tlatency_ms\tpath\tmsg"
        pad = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        for (i = 0; i < n; i++) {
            r = rand()
            l = r < 0.9 ? "INFO" : r < 0.96 ? "DEBUG" : r < 0.985 ? "WARN" : r < 0.999 ? "ERROR" : "FATAL"
            sec = int(i / 1000)
            ts = sprintf("2026-11-01T%02d:%02d:%02d.%03dZ", int(sec / 3600), int(sec / 60) % 60, sec % 60, i % 1000)
            u = sprintf("u%06d", int(rand() * 4000)); se = sprintf("%08x%08x", i, int(rand() * 2147483647))
            st = rand() < 0.95 ? 200 : 404; lat = rand() * 50; p = "/api/v1/items/" int(rand() * 1000000)
            m = "request " i " " substr(pad, 1, int(rand() * 90))
            if (fmt == "tsv")
                printf "%s\t%s\t%s\t%s\t%d\t%.2f\t%s\t%s\n", ts, l, u, se, st, lat, p, m
            else
                printf "{\"ts\":\"%s\",\"level\":\"%s\",\"user\":\"%s\",\"session\":\"%s\",\"status\":%d,\"latency_ms\":%.2f,\"path\":\"%s\",\"msg\":\"%s\"}\n", ts, l, u, se, st, lat, p, m
        }
    }' >"$file"
}

# json_field FIELD: the string value of "FIELD" on each stdin line (first one).
json_field() {
    awk -v f="\"$1\":\"" '{ i = index($0, f); if (!i) { print ""; next }
        s = substr($0, i + length(f)); print substr(s, 1, index(s, "\"") - 1) }'
}

# count_by FIELD: "VALUE COUNT" lines, sorted, from JSON records on stdin.
count_by() { json_field "$1" | sort | uniq -c | awk '{ print $2, $1 }'; }

# mf_val LINE: the value of a `"key": value,` manifest line.
MF_VAL='function val(s) { sub(/^[^:]*:[ \t]*/, "", s); sub(/,[ \t]*$/, "", s); gsub(/"/, "", s); return s }'

# mf_files DIR: every shard file the manifest lists, as DIR/FILE, in order.
mf_files() {
    awk -v d="$1" "$MF_VAL"' /"file":/ { print d "/" val($0) }' "$1/manifest.json"
}
# mf_shards DIR: "FILE RECORDS BYTES COMPRESSED" per shard.
mf_shards() {
    awk -v d="$1" "$MF_VAL"'
        /"file":/ { f = d "/" val($0); next }
        f != "" && /"records":/ { r = val($0) }
        f != "" && /"bytes":/ { b = val($0) }
        f != "" && /"compressed_bytes":/ { print f, r, b, val($0); f = "" }' "$1/manifest.json"
}
# mf_split_records DIR: "SPLIT RECORDS" per split.
mf_split_records() {
    awk "$MF_VAL"' /"name":/ { n = val($0); w = 1 } w && /"records":/ { print n, val($0); w = 0 }' \
        "$1/manifest.json"
}
# mf_classes DIR: "SPLIT LABEL BEFORE AFTER" per class of each split.
mf_classes() {
    awk "$MF_VAL"' /"name":/ { n = val($0) } /"label":/ { l = val($0) } /"before":/ { b = val($0) }
        /"after":/ { print n, l, b, val($0) }' "$1/manifest.json"
}
# mf_get DIR KEY: the first value of "KEY" in the manifest.
mf_get() { awk -v k="\"$2\":" "$MF_VAL"' index($0, k) { print val($0); exit }' "$1/manifest.json"; }
# mf_no_command DIR: the manifest without its "command" array.
mf_no_command() {
    awk '/"command": \[/ { skip = 1 } skip { if ($0 ~ /\]/) skip = 0; next } { print }' "$1/manifest.json"
}

# split_cat DIR SPLIT: the records of one split, shard after shard.
split_cat() {
    local f
    for f in "$1/$2"/part-*.zst; do
        [ -e "$f" ] && zstd -dcq "$f"
    done
}
# ds_cat DIR: every shard the manifest lists, decompressed.
ds_cat() {
    local f
    mf_files "$1" | while read -r f; do zstd -dcq "$f"; done
}

# split_ok WHAT ARGS...: `ladle ARGS...` must exit 0.
split_ok() {
    local what=$1
    shift
    run "$L" "$@"
    if [ "$RC" = 0 ]; then
        pass
        return 0
    fi
    fail "$what: $LAST_CMD" "exit $RC, expected 0" "stderr: $(head -c 600 "$T/err" | cat -v)"
    return 1
}

# check_dataset WHAT DIR [HEADER_LINES]: DIR/manifest.json matches the
# files: the part files on disk are exactly those listed; each shard's size,
# decompressed bytes and record count (+HEADER_LINES lines) are the listed
# ones; each split's records are its shards' sum; no temporary folder left.
check_dataset() {
    local what=$1 dir=$2 hdr=${3:-0} f r b c got lc
    if [ ! -f "$dir/manifest.json" ]; then
        fail "$what: $dir/manifest.json is missing"
        return 1
    fi
    expect_eq "$what: the part files on disk are those the manifest lists" \
        "$(mf_files "$dir" | sort)" "$(find "$dir" -name 'part-*' | sort)"
    local exp="" act=""
    while read -r f r b c; do
        exp+="$f records=$r bytes=$b compressed=$c"$'\n'
        if [ -f "$f" ]; then
            lc=$(zstd -dcq "$f" | wc -lc | awk '{ print $1, $2 }')
            got="records=$((${lc% *} - hdr)) bytes=${lc#* } compressed=$(stat -c %s "$f")"
        else
            got="missing"
        fi
        act+="$f $got"$'\n'
    done < <(mf_shards "$dir")
    expect_eq "$what: each shard's records, bytes and size are the manifest's" "$exp" "$act"
    expect_eq "$what: each split's records are the sum of its shards'" \
        "$(mf_split_records "$dir")" \
        "$(awk "$MF_VAL"' /"name":/ { if (n != "") print n, s; n = val($0); s = 0; w = 1; next }
              /"shards":/ { w = 2 } w == 2 && /"records":/ { s += val($0) }
              /"classes":/ { w = 0 } END { if (n != "") print n, s }' "$dir/manifest.json")"
    expect_eq "$what: no .ladle-tmp-* left in $dir" "" "$(find "$dir" -maxdepth 1 -name '.ladle-tmp-*')"
}

# snap DIR: everything under DIR (type, mode, name, link target) and the
# checksum of every file; "absent" when DIR does not exist.
snap() {
    if [ ! -e "$1" ] && [ ! -L "$1" ]; then
        echo absent
        return
    fi
    find "$1" -printf '%y %m %p -> %l\n' | sort
    find "$1" -type f -exec sha256sum {} + | sort -k2
}
# expect_unchanged WHAT DIR BEFORE: snap DIR equals BEFORE (an earlier snap).
expect_unchanged() {
    expect_eq "$1: $2 is left exactly as it was" "$3" "$(snap "$2")"
    if [ -d "$2" ]; then
        expect_eq "$1: no .ladle-tmp-* left in $2" "" "$(find "$2" -maxdepth 1 -name '.ladle-tmp-*')"
    fi
}
# expect_rc_what CODE WHAT ARGS...: expect_rc, with WHAT in the message.
expect_rc_what() {
    local want=$1 what=$2
    shift 2
    run "$@"
    if [ "$RC" = "$want" ]; then
        pass
        return 0
    fi
    fail "$what: $LAST_CMD" "exit $RC, expected $want$([ "$RC" = 124 ] && echo ' (timed out: hang?)')" \
        "stderr: $(head -c 600 "$T/err" | cat -v)"
    return 1
}

# in_bounds K N P: K is within N*P +- 5 standard deviations (binomial).
in_bounds() {
    awk -v k="$1" -v n="$2" -v p="$3" 'BEGIN { m = n * p; sd = sqrt(n * p * (1 - p))
        exit !(k >= m - 5 * sd && k <= m + 5 * sd) }'
}

# ------------------------------------------------------------------- data

N=20000
gen a.jsonl "$N" 1
[ "$(lines_of a.jsonl)" = "$N" ] || skip "cannot generate test data"
zstd -q -c a.jsonl >a.jsonl.zst
gzip -c a.jsonl >a.jsonl.gz
sort a.jsonl >a.sorted

# ---------------------------------------------------------------- 1 shares

test_shares() {
    split_ok "shares" split -o sh --ratios "$RATIOS" --seed "$SEED" a.jsonl || return
    expect_stderr_empty
    local s c total=0 p
    for s in train val test; do
        c=$(split_cat sh "$s" | wc -l)
        total=$((total + c))
        p=$(echo "$RATIOS" | tr ',' '\n' | sed -n "s/^$s=//p")
        if in_bounds "$c" "$N" "$p"; then pass; else
            fail "shares: split $s has $c of $N records, outside $N*$p +- 5 sd"
        fi
    done
    expect_eq "shares: the splits' record counts add up to the input's" "$N" "$total"
    expect_eq "shares: the manifest's input record count" "$N" \
        "$(awk "$MF_VAL"' /"inputs":/ { w = 1 } w && /"records":/ { print val($0); exit }' sh/manifest.json)"
    expect_eq "shares: the manifest's split names, in --ratios order" "train val test" \
        "$(mf_split_records sh | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//')"
    expect_eq "shares: the manifest's format" "jsonl" "$(mf_get sh format)"
    expect_eq "shares: the manifest's seed" "$SEED" "$(mf_get sh seed)"
    check_dataset "shares" sh
    # another seed, another split (of about the same shares)
    split_ok "shares, --seed 8" split -o sh8 --ratios "$RATIOS" --seed 8 a.jsonl || return
    if cmp -s sh/train/part-00000.jsonl.zst sh8/train/part-00000.jsonl.zst; then
        fail "shares: --seed 7 and --seed 8 give the same train split"
    else pass; fi
}

# ----------------------------------------------------------------- 2 union

test_union() {
    local in d
    for in in a.jsonl a.jsonl.zst a.jsonl.gz; do
        d=un-${in//./-}
        split_ok "union" split -o "$d" --ratios "$RATIOS" --seed "$SEED" "$in" || continue
        ds_cat "$d" | sort >un.sorted
        if cmp -s a.sorted un.sorted; then pass; else
            fail "union: the shards of ladle split ... $in (sorted) are not the input (sorted)" \
                "$(show_diff a.sorted un.sorted)"
        fi
        check_dataset "union $in" "$d"
    done
    run_sh "cat a.jsonl | $(q "$L") split -o un-stdin --ratios $RATIOS --seed $SEED -"
    expect_eq "union: cat a.jsonl | ladle split ... -: exit" 0 "$RC"
    ds_cat un-stdin | sort >un.sorted
    if cmp -s a.sorted un.sorted; then pass; else
        fail "union: the shards of cat a.jsonl | ladle split ... - (sorted) are not the input" \
            "$(show_diff a.sorted un.sorted)"
    fi
    expect_eq "union: stdin is named <stdin> in the manifest" "<stdin>" "$(mf_get un-stdin path)"
    # several inputs of different kinds at once
    # (copies under other names: a.jsonl.gz and a.jsonl.zst are one source to ladle)
    cp a.jsonl.gz u1.jsonl.gz
    cp a.jsonl.zst u3.jsonl.zst
    split_ok "union, 3 inputs" split -o un-3 --ratios "$RATIOS" --seed "$SEED" u1.jsonl.gz - u3.jsonl.zst <a.jsonl || return
    ds_cat un-3 | sort >un.sorted
    cat a.jsonl a.jsonl a.jsonl | sort >un3.exp
    if cmp -s un3.exp un.sorted; then pass; else
        fail "union: gz + stdin + zst inputs: the shards are not the three inputs" "$(show_diff un3.exp un.sorted)"
    fi
    expect_eq "union: 3 inputs: records per input in the manifest" "$N $N $N" \
        "$(awk "$MF_VAL"' /"inputs":/ { w = 1 } /"source_stem":|"splits":/ { w = 0 } w && /"records":/ { printf "%s%s", sep, val($0); sep = " " }' un-3/manifest.json)"
}

# --------------------------------------------------------------- 3 grouped

# users_of DIR: "USER SPLIT" for every user in every split (sorted, unique).
users_of() {
    local s
    for s in train val test; do
        split_cat "$1" "$s" | json_field user | sort -u | sed "s/\$/ $s/"
    done | sort
}

test_grouped() {
    gen A.jsonl 8000 11
    gen B.jsonl 8000 12
    json_field user <A.jsonl | sort -u >A.users
    json_field user <B.jsonl | sort -u >B.users
    local shared
    shared=$(comm -12 A.users B.users | wc -l)
    [ "$shared" -ge 100 ] || note "grouped: A and B share only $shared users"
    split_ok "grouped, A" split -o gA --by user --ratios "$RATIOS" --seed "$SEED" A.jsonl || return
    split_ok "grouped, A+B" split -o gAB --by user --ratios "$RATIOS" --seed "$SEED" A.jsonl B.jsonl || return
    split_ok "grouped, B+A" split -o gBA --by user --ratios "$RATIOS" --seed "$SEED" -t 3 B.jsonl A.jsonl || return
    expect_eq "grouped: the manifest's by" "user" "$(mf_get gAB by)"
    local d
    for d in gA gAB gBA; do
        users_of "$d" >"$d.map"
        expect_eq "grouped ($d): no user is in two splits" "" \
            "$(awk '{ c[$1]++; s[$1] = s[$1] " " $2 } END { for (u in c) if (c[u] > 1) print u s[u] }' "$d.map" | sort | head -5)"
        ds_cat "$d" | sort >g.sorted
        case $d in
        gA) sort A.jsonl >g.exp ;;
        *) sort A.jsonl B.jsonl >g.exp ;;
        esac
        if cmp -s g.exp g.sorted; then pass; else fail "grouped ($d): the shards are not the input" "$(show_diff g.exp g.sorted)"; fi
    done
    expect_eq "grouped: every user of A has the same split alone and with B" \
        "$(cat gA.map)" "$(awk 'NR == FNR { a[$1]; next } $1 in a' A.users gAB.map)"
    expect_eq "grouped: every user has the same split in A+B and B+A" "$(cat gAB.map)" "$(cat gBA.map)"
    # shares by user: about 80/10/10 of the users
    local nu c
    nu=$(lines_of gAB.map)
    c=$(awk '$2 == "train"' gAB.map | wc -l)
    if in_bounds "$c" "$nu" 0.8; then pass; else fail "grouped: $c of $nu users in train, outside 0.8 +- 5 sd"; fi
}

# ------------------------------------------------------------------ 4 time

test_time() {
    local c1 c2 e1 e2
    c1=$(sed -n "$((N / 3))p" a.jsonl | json_field ts)
    c2=$(sed -n "$((2 * N / 3))p" a.jsonl | json_field ts)
    if [[ ! "$c1" < "$c2" ]]; then
        fail "time: the generated ts values do not increase ($c1, $c2)"
        return
    fi
    split_ok "time" split -o tm --ratios early,mid,late --time-field ts --cutoffs "$c1,$c2" a.jsonl || return
    check_dataset "time" tm
    # the expected splits: compare the ts strings (fixed width, UTC)
    json_field ts <a.jsonl | paste -d' ' - a.jsonl |
        awk -v c1="$c1" -v c2="$c2" '{ s = $1 < c1 ? "early" : $1 < c2 ? "mid" : "late"
            sub(/^[^ ]* /, ""); print > ("tm.exp." s) }'
    local s
    for s in early mid late; do
        touch "tm.exp.$s"
        expect_eq "time: cutoffs $c1,$c2: records in $s" "$(lines_of "tm.exp.$s")" "$(split_cat tm "$s" | wc -l)"
        split_cat tm "$s" | sort >tm.got
        sort "tm.exp.$s" >tm.exp
        if cmp -s tm.exp tm.got; then pass; else fail "time: split $s is not the records with ts in its range" "$(show_diff tm.exp tm.got)"; fi
    done
    # the same instants as epoch seconds (with a fraction) and epoch ms
    if ! e1=$(date -u -d "$c1" +%s.%3N) || ! e2=$(date -u -d "$c2" +%s.%3N); then
        fail "time: date cannot read $c1 or $c2"
        return
    fi
    local v cut name
    for v in "s:$e1,$e2" "ms:${e1/./},${e2/./}"; do
        name=${v%%:*}
        cut=${v#*:}
        split_ok "time, epoch $name" split -o "tm-$name" --ratios early,mid,late --time-field ts --cutoffs "$cut" a.jsonl || continue
        for s in early mid late; do
            expect_eq "time: --cutoffs $cut (epoch $name) vs $c1,$c2: $s has the same files" \
                "$(cd tm && find "$s" -type f | sort)" "$(cd "tm-$name" && find "$s" -type f | sort)"
            for f in tm/"$s"/*; do
                [ -e "$f" ] || continue
                if cmp -s "$f" "tm-$name/${f#tm/}"; then pass; else
                    fail "time: --cutoffs $cut (epoch $name) and $c1,$c2 give different ${f#tm/}"
                fi
            done
        done
        expect_eq "time: epoch $name: the manifest's split ranges are the same" \
            "$(grep -E '"(from|until)_ns"' tm/manifest.json)" "$(grep -E '"(from|until)_ns"' "tm-$name/manifest.json")"
    done
    # and with a zone offset (+01:00) when the hour allows it
    local h=${c1:11:2} h2=${c2:11:2}
    if [[ "$c1$c2" =~ Z.*Z$ ]] && [ "$((10#$h))" -lt 23 ] && [ "$((10#$h2))" -lt 23 ]; then
        local o1 o2
        o1="${c1:0:11}$(printf %02d $((10#$h + 1)))${c1:13}"
        o2="${c2:0:11}$(printf %02d $((10#$h2 + 1)))${c2:13}"
        o1=${o1%Z}+01:00
        o2=${o2%Z}+01:00
        split_ok "time, +01:00" split -o tm-tz --ratios early,mid,late --time-field ts --cutoffs "$o1,$o2" a.jsonl &&
            expect_eq "time: --cutoffs $o1,$o2 and $c1,$c2 give the same shards" \
                "$(cd tm && find . -type f -name '*.zst' -exec sha256sum {} + | sort -k2)" \
                "$(cd tm-tz && find . -type f -name '*.zst' -exec sha256sum {} + | sort -k2)"
    fi
    # stdin, in one split per instant: the same
    run_sh "cat a.jsonl | $(q "$L") split -o tm-stdin --ratios early,mid,late --time-field ts --cutoffs $c1,$c2"
    expect_eq "time: from stdin: exit" 0 "$RC"
    for s in early mid late; do
        expect_eq "time: from stdin: records in $s" "$(lines_of "tm.exp.$s")" "$(split_cat tm-stdin "$s" | wc -l)"
    done
}

# -------------------------------------------------------------- 5 stratify

# level_counts DIR SPLIT: "LEVEL COUNT" lines of one split.
level_counts() { split_cat "$1" "$2" | count_by level; }

test_stratify() {
    count_by level <a.jsonl >levels.all
    split_ok "stratify" split -o st --ratios "$RATIOS" --stratify level --seed "$SEED" a.jsonl || return
    check_dataset "stratify" st
    local s p bad
    for s in train val test; do
        p=$(echo "$RATIOS" | tr ',' '\n' | sed -n "s/^$s=//p")
        level_counts st "$s" >st.got
        bad=$(awk -v p="$p" 'NR == FNR { got[$1] = $2; next }
            { e = $2 * p; g = got[$1] + 0; d = g - e; if (d < 0) d = -d
              if (d > 1 + 1e-9) printf "%s: %d, expected %.1f +- 1; ", $1, g, e }' st.got levels.all)
        expect_eq "stratify: split $s: every level's count in the shards is within 1 of total*$p" "" "$bad"
        # the manifest's classes say the same
        expect_eq "stratify: split $s: the manifest's classes (after) are the shards' counts" \
            "$(cat st.got)" "$(mf_classes st | awk -v s="$s" '$1 == s && $4 > 0 { print $2, $4 }' | sort)"
        expect_eq "stratify: split $s: no balance, so before = after" "" \
            "$(mf_classes st | awk -v s="$s" '$1 == s && $3 != $4')"
    done
    expect_eq "stratify: the manifest's classes of all splits add up to the input's levels" \
        "$(cat levels.all)" \
        "$(mf_classes st | awk '{ t[$2] += $4 } END { for (l in t) if (t[l]) print l, t[l] }' | sort)"
    ds_cat st | sort >st.sorted
    if cmp -s a.sorted st.sorted; then pass; else fail "stratify: the shards are not the input" "$(show_diff a.sorted st.sorted)"; fi
    # two passes over stdin (spooled): the same shares
    run_sh "cat a.jsonl | $(q "$L") split -o st-stdin --ratios $RATIOS --stratify level --seed $SEED -"
    expect_eq "stratify: from stdin: exit" 0 "$RC"
    for s in train val test; do
        expect_eq "stratify: from stdin: split $s has the same levels as from the file" \
            "$(level_counts st "$s")" "$(level_counts st-stdin "$s")"
    done
}

# --------------------------------------------------------------- 6 balance

test_balance() {
    split_ok "balance, none" split -o bl-none --ratios "$RATIOS" --seed "$SEED" a.jsonl || return
    level_counts bl-none train >bl.before
    split_cat bl-none train | sort >bl.train.sorted
    local m exp d s
    for m in under cap:300 ratio:2.5 over; do
        d=bl-${m/:/-}
        split_ok "balance $m" split -o "$d" --ratios "$RATIOS" --seed "$SEED" --balance level --balance-mode "$m" a.jsonl || continue
        exp=$(awk -v m="$m" 'NR == FNR { if ($2 > 0) { if (lo == "" || $2 < lo) lo = $2; if ($2 > hi) hi = $2 }; next }
            { n = $2
              if (m == "under") t = lo
              else if (m == "over") t = hi
              else if (m ~ /^cap:/) { c = substr(m, 5) + 0; t = n < c ? n : c }
              else { r = substr(m, 7) + 0; c = int(r * lo); t = n < c ? n : c }
              print $1, t }' bl.before bl.before)
        expect_eq "balance $m: train's per-level counts (before: $(tr '\n' ' ' <bl.before))" \
            "$exp" "$(level_counts "$d" train)"
        expect_eq "balance $m: the manifest's train classes (label before after)" \
            "$(paste -d' ' bl.before <(echo "$exp") | awk '{ print $1, $2, $4 }')" \
            "$(mf_classes "$d" | awk '$1 == "train" { print $2, $3, $4 }' | sort)"
        expect_eq "balance $m: train is marked balanced" "true" \
            "$(awk "$MF_VAL"' /"name": "train"/ { w = 1 } w && /"balanced":/ { print val($0); exit }' "$d/manifest.json")"
        for s in val test; do
            if cmp -s "bl-none/$s/part-00000.jsonl.zst" "$d/$s/part-00000.jsonl.zst"; then pass; else
                fail "balance $m: split $s is not the same as without --balance"
            fi
        done
        split_cat "$d" train | sort >bl.got
        if [ "$m" = over ]; then
            expect_eq "balance over: every train record is kept (at least once), and nothing else" \
                "$(uniq bl.train.sorted | sha_of /dev/stdin)" "$(uniq bl.got | sha_of /dev/stdin)"
        else
            expect_eq "balance $m: train is a sub-multiset of the unbalanced train" "" \
                "$(comm -13 bl.train.sorted bl.got | head -3)"
        fi
        check_dataset "balance $m" "$d"
    done
    # --balance-splits val: train untouched, val balanced (under)
    split_ok "balance-splits val" split -o bl-val --ratios "$RATIOS" --seed "$SEED" --balance level --balance-splits val a.jsonl || return
    for s in train test; do
        if cmp -s "bl-none/$s/part-00000.jsonl.zst" "bl-val/$s/part-00000.jsonl.zst"; then pass; else
            fail "--balance-splits val: split $s is not the same as without --balance"
        fi
    done
    level_counts bl-none val >bl.vbefore
    expect_eq "--balance-splits val: val's levels all down to the smallest" \
        "$(awk 'NR == FNR { if (lo == "" || $2 < lo) lo = $2; next } { print $1, lo }' bl.vbefore bl.vbefore)" \
        "$(level_counts bl-val val)"
    expect_eq "--balance-splits val: train is not marked balanced" "false" \
        "$(awk "$MF_VAL"' /"name": "train"/ { w = 1 } w && /"balanced":/ { print val($0); exit }' bl-val/manifest.json)"
}

# ---------------------------------------------------------------- 7 verify

# flip_byte FILE OFFSET: inverts one byte in place.
flip_byte() {
    local v
    v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    # shellcheck disable=SC2059
    printf "$(printf '\\%03o' $((v ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

test_verify() {
    split_ok "verify" split -o vf --ratios "$RATIOS" --seed "$SEED" --shard-records 5000 a.jsonl || return
    local f
    while read -r f; do
        if zstd -tq "$f" 2>/dev/null; then pass; else fail "verify: zstd -t $f fails"; fi
    done < <(mf_files vf)
    expect_rc 0 "$L" verify vf
    expect_rc 0 "$L" verify -q vf
    expect_stdout_empty
    expect_stderr_empty
    local sz
    # one byte flipped in the middle of a shard
    cp -r vf vf-bad
    f=vf-bad/val/part-00000.jsonl.zst
    sz=$(stat -c %s "$f")
    flip_byte "$f" $((sz / 2))
    expect_rc 3 "$L" verify vf-bad
    expect_true "verify: the flipped shard is named" grep -q 'val/part-00000.jsonl.zst' "$T/err"
    # a byte of the seek table
    rm -rf vf-bad && cp -r vf vf-bad
    f=vf-bad/train/part-00001.jsonl.zst
    sz=$(stat -c %s "$f")
    flip_byte "$f" $((sz - 6))
    expect_rc 3 "$L" verify vf-bad
    # one byte cut off the end
    rm -rf vf-bad && cp -r vf vf-bad
    truncate -s -1 vf-bad/test/part-00000.jsonl.zst
    expect_rc 3 "$L" verify vf-bad
    # a shard deleted
    rm -rf vf-bad && cp -r vf vf-bad
    rm vf-bad/train/part-00002.jsonl.zst
    expect_rc 3 "$L" verify vf-bad
    expect_true "verify: the missing shard is named" grep -q 'train/part-00002.jsonl.zst' "$T/err"
    # a shard the manifest does not list
    rm -rf vf-bad && cp -r vf vf-bad
    cp vf-bad/val/part-00000.jsonl.zst vf-bad/val/part-00001.jsonl.zst
    expect_rc 3 "$L" verify vf-bad
    # no manifest
    rm -rf vf-bad && cp -r vf vf-bad
    rm vf-bad/manifest.json
    expect_rc 3 "$L" verify vf-bad
    # ladle sample -o DIR verifies too
    split_ok "verify, sample -o" sample -o vf-sample --rate 0.3 --seed "$SEED" a.jsonl.gz &&
        expect_rc 0 "$L" verify vf-sample
}

# ----------------------------------------------------------- 8 determinism

test_determinism() {
    local opt d v f tag
    for opt in "" "--by user" "--stratify level --balance level --balance-mode over" "--shard-size 300K --rate 0.7"; do
        tag=$(echo "$opt" | tr -c 'a-z0-9\n' '_')
        # shellcheck disable=SC2086
        split_ok "determinism [$opt]" split -o "dt$tag-ref" --ratios "$RATIOS" --seed "$SEED" $opt -t 1 a.jsonl || continue
        local variants=("-t 2" "-t 4" "--chunk-size 64K" "-t 3 --chunk-size 16K")
        smoke && variants=("-t 4" "-t 3 --chunk-size 16K")
        for v in "${variants[@]}"; do
            d=dt$tag$(echo "$v" | tr -c 'a-zA-Z0-9\n' '_')
            # shellcheck disable=SC2086
            split_ok "determinism [$opt $v]" split -o "$d" --ratios "$RATIOS" --seed "$SEED" $opt $v a.jsonl || continue
            expect_eq "determinism [$opt]: -t 1 and $v write the same files" \
                "$(cd "dt$tag-ref" && find . -type f | sort)" "$(cd "$d" && find . -type f | sort)"
            while read -r f; do
                if cmp -s "dt$tag-ref/$f" "$d/$f"; then pass; else
                    fail "determinism [$opt]: $f differs between -t 1 and $v"
                fi
            done < <(cd "dt$tag-ref" && find . -name '*.zst' | sort)
            expect_eq "determinism [$opt]: -t 1 and $v: the manifests differ only in command" \
                "$(mf_no_command "dt$tag-ref")" "$(mf_no_command "$d")"
        done
    done
}

# ---------------------------------------------------------------- 9 shards

test_shards() {
    local n f c last bad s
    # --shard-records 1000
    split_ok "shard-records" split -o sr --ratios "$RATIOS" --seed "$SEED" --shard-records 1000 a.jsonl || return
    check_dataset "--shard-records 1000" sr
    for s in train val test; do
        n=$(split_cat sr "$s" | wc -l)
        expect_eq "--shard-records 1000: split $s ($n records): shard count" \
            "$(((n + 999) / 1000))" "$(find "sr/$s" -name 'part-*' | wc -l)"
        bad=""
        last=$(find "sr/$s" -name 'part-*' | sort | tail -1)
        for f in $(find "sr/$s" -name 'part-*' | sort); do
            c=$(zstd -dcq "$f" | wc -l)
            if [ "$f" = "$last" ]; then
                [ "$c" -ge 1 ] && [ "$c" -le 1000 ] || bad+="$f: $c (last) "
            else
                [ "$c" = 1000 ] || bad+="$f: $c "
            fi
        done
        expect_eq "--shard-records 1000: split $s: 1000 records per shard but the last" "" "$bad"
        expect_eq "--shard-records 1000: split $s: shard names part-00000.. in order" \
            "$(seq -f 'part-%05g.jsonl.zst' 0 $(((n + 999) / 1000 - 1)))" "$(ls "sr/$s")"
    done
    ds_cat sr | sort >sr.sorted
    if cmp -s a.sorted sr.sorted; then pass; else fail "--shard-records: the shards are not the input"; fi
    # the records in shard order are the same as with one shard per split
    split_ok "one shard" split -o sr1 --ratios "$RATIOS" --seed "$SEED" a.jsonl &&
        expect_eq "--shard-records 1000: train's shards in order are the one-shard train" \
            "$(split_cat sr1 train | sha_of /dev/stdin)" "$(split_cat sr train | sha_of /dev/stdin)"

    # --shard-size 100K, with one record larger than that (free text)
    {
        head -n 3000 a.jsonl
        awk 'BEGIN { s = "big record "; while (length(s) < 150000) s = s "0123456789"; print s }'
        sed -n '3001,6000p' a.jsonl
    } >big.txt
    split_ok "shard-size" split -o ss --format lines --ratios all=1 --shard-size 100K big.txt || return
    check_dataset "--shard-size 100K" ss
    expect_eq "--shard-size 100K, --format lines: extension txt" "txt" "$(mf_get ss format)"
    bad=""
    local b
    local files=()
    mapfile -t files < <(find ss/all -name 'part-*' | sort)
    for f in "${files[@]}"; do
        read -r c b < <(zstd -dcq "$f" | wc -lc)
        if [ "$b" -gt 102400 ] && [ "$c" != 1 ]; then bad+="$f: $c records, $b bytes; "; fi
    done
    expect_eq "--shard-size 100K: every shard at most 100 KiB unless it is one record" "" "$bad"
    # greedy: a shard ends only where the next record would not fit
    bad=""
    local i nb nx
    for ((i = 0; i + 1 < ${#files[@]}; i++)); do
        nb=$(zstd -dcq "${files[i]}" | wc -c)
        nx=$(zstd -dcq "${files[i + 1]}" | head -n 1 | wc -c)
        [ $((nb + nx)) -gt 102400 ] || bad+="${files[i]} ($nb bytes) could take the next record ($nx bytes); "
    done
    expect_eq "--shard-size 100K: shards are cut only when the next record would not fit" "" "$bad"
    expect_eq "--shard-size 100K: the 150 KB record is a shard of its own" 1 \
        "$(for f in "${files[@]}"; do zstd -dcq "$f" | wc -lc; done | awk '$1 == 1 && $2 > 150000' | wc -l)"
    expect_eq "--shard-size 100K: all records, in order" "$(sha_of big.txt)" "$(ds_cat ss | sha_of /dev/stdin)"

    # --header with tsv: the header first in every shard, and nowhere else
    gen h1.tsv 3000 3 tsv --header
    gen h2.tsv 2000 4 tsv --header
    local hl
    hl=$(head -n 1 h1.tsv)
    split_ok "header" split -o hd --header --format tsv --ratios "$RATIOS" --seed "$SEED" --shard-records 700 h1.tsv h2.tsv || return
    check_dataset "--header --format tsv" hd 1
    expect_eq "--header --format tsv: the manifest says header true" "true" "$(mf_get hd header)"
    expect_eq "--header --format tsv: format" "tsv" "$(mf_get hd format)"
    bad=""
    while read -r f; do
        [[ "$f" == *.tsv.zst ]] || bad+="$f: not .tsv.zst; "
        [ "$(zstd -dcq "$f" | head -n 1)" = "$hl" ] || bad+="$f: first line is not the header; "
        c=$(zstd -dcq "$f" | grep -cxF -- "$hl")
        [ "$c" = 1 ] || bad+="$f: header $c times; "
    done < <(mf_files hd)
    expect_eq "--header --format tsv: every shard starts with the header, once" "" "$bad"
    ds_cat hd | grep -vxF -- "$hl" | sort >hd.got
    { tail -n +2 h1.tsv; tail -n +2 h2.tsv; } | sort >hd.exp
    if cmp -s hd.exp hd.got; then pass; else fail "--header: the shards' records are the inputs' records" "$(show_diff hd.exp hd.got)"; fi
    # a header field as --by (a column name)
    split_ok "header --by user" split -o hd-by --header --format tsv --ratios "$RATIOS" --by user h1.tsv &&
        expect_eq "--header --by user (a column name): every user in one split" "" \
            "$(for s in train val test; do split_cat hd-by "$s" | tail -n +2 | cut -f3 | sort -u | sed "s/\$/ $s/"; done |
                awk '{ c[$1]++ } END { for (u in c) if (c[u] > 1) print u }' | head -3)"

    # extensions follow --format (auto: jsonl for JSON records, txt otherwise)
    awk 'BEGIN { for (i = 0; i < 400; i++) printf "%d,L%d,\"u%d, x\"\n", i, i % 3, i % 17 }' >c.csv
    awk 'BEGIN { for (i = 0; i < 400; i++) printf "free text line %d\n", i }' >f.txt
    local cs want
    for cs in "csv:--format csv c.csv" "txt:--format lines f.txt" "txt:f.txt" "jsonl:a.jsonl" \
        "jsonl:--format json a.jsonl" "txt:--format lines a.jsonl" "tsv:--format tsv h1.tsv"; do
        want=${cs%%:*}
        rm -rf ext
        # shellcheck disable=SC2086
        split_ok "extension" split -o ext --ratios a=0.5,b=0.5 ${cs#*:} || continue
        expect_eq "extension: ladle split ${cs#*:}: shard names" "a/part-00000.$want.zst b/part-00000.$want.zst" \
            "$(cd ext && find . -name 'part-*' | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"
        expect_eq "extension: ladle split ${cs#*:}: the manifest's format" "$want" "$(mf_get ext format)"
    done
}

# --------------------------------------------------------------- 10 designs

test_designs() {
    split_ok "design --rate" split -o ds-rate --ratios "$RATIOS" --seed "$SEED" --rate 0.5 a.jsonl || return
    run "$L" sample --rate 0.5 --seed "$SEED" a.jsonl
    sort "$T/out" >ds.exp
    ds_cat ds-rate | sort >ds.got
    if cmp -s ds.exp ds.got; then pass; else
        fail "design: the splits of --rate 0.5 together are not ladle sample --rate 0.5" "$(show_diff ds.exp ds.got)"
    fi
    split_ok "design -n" split -o ds-n --ratios "$RATIOS" --seed "$SEED" -n 100 a.jsonl || return
    expect_eq "design: -n 100 then split: 100 records in all" 100 "$(ds_cat ds-n | wc -l)"
    run "$L" sample -n 100 --seed "$SEED" a.jsonl
    sort "$T/out" >ds.exp
    ds_cat ds-n | sort >ds.got
    if cmp -s ds.exp ds.got; then pass; else fail "design: the splits of -n 100 together are not ladle sample -n 100"; fi
    check_dataset "design -n 100" ds-n
    # --head: the first records, whatever the order they are written in
    local h
    for h in "--head 500" "--head 500 --shuffle"; do
        rm -rf ds-head
        # shellcheck disable=SC2086
        split_ok "design $h" split -o ds-head --ratios "$RATIOS" --seed "$SEED" $h a.jsonl || continue
        head -n 500 a.jsonl | sort >ds.exp
        ds_cat ds-head | sort >ds.got
        if cmp -s ds.exp ds.got; then pass; else
            fail "design: the splits of $h together are not the first 500 records" "$(show_diff ds.exp ds.got)"
        fi
    done
    # --shuffle without a design (issue 7, item 1: was SIGSEGV, leaving
    # .ladle-tmp-*): every record, each split the records it has without
    # --shuffle, written in key order instead of input order
    split_ok "--shuffle, no design" split -o ds-shuf --ratios a=0.5,b=0.5 --seed "$SEED" --shuffle a.jsonl &&
        split_ok "no --shuffle, no design" split -o ds-noshuf --ratios a=0.5,b=0.5 --seed "$SEED" a.jsonl && {
        ds_cat ds-shuf | sort >ds.got
        if cmp -s a.sorted ds.got; then pass; else
            fail "--shuffle, no design: the splits together are not the input" "$(show_diff a.sorted ds.got)"
        fi
        local s
        for s in a b; do
            expect_eq "--shuffle, no design: split $s holds the records it holds without --shuffle" \
                "$(split_cat ds-noshuf "$s" | sort | sha_of /dev/stdin)" "$(split_cat ds-shuf "$s" | sort | sha_of /dev/stdin)"
            split_cat ds-shuf "$s" >ds.got
            if [ "$(split_cat ds-noshuf "$s" | sha_of /dev/stdin)" = "$(sha_of ds.got)" ]; then
                fail "--shuffle, no design: split $s is in input order"
            else pass; fi
        done
        check_dataset "--shuffle, no design" ds-shuf
        expect_rc 0 "$L" verify ds-shuf
    }
    # ladle sample -o DIR: one split named sample
    split_ok "sample -o" sample -o so -n 50 --seed "$SEED" a.jsonl || return
    expect_eq "sample -o so -n 50: the files" "so/README.md so/croissant.json so/manifest.json so/sample/part-00000.jsonl.zst" \
        "$(find so -type f | sort | tr '\n' ' ' | sed 's/ $//')"
    expect_eq "sample -o so -n 50: 50 records" 50 "$(split_cat so sample | wc -l)"
    expect_eq "sample -o so -n 50: the split is named sample" "sample 50" "$(mf_split_records so)"
    run "$L" sample -n 50 --seed "$SEED" a.jsonl
    sort "$T/out" >ds.exp
    split_cat so sample | sort >ds.got
    if cmp -s ds.exp ds.got; then pass; else fail "sample -o so -n 50: not the records of ladle sample -n 50"; fi
    check_dataset "sample -o" so
    expect_rc 0 "$L" verify so
}

# -------------------------------------------------------------- 11 failures

# interrupt_split SIG WHAT DIR PRODUCER ARGS...: runs `ladle split -o DIR
# ARGS... -` on the output of PRODUCER (which ends with `exec sleep`);
# once the handlers are in and ladle has blocked, sends SIG; expects
# 130/143 within 5 s and DIR exactly as before.
interrupt_split() {
    local sig=$1 what=$2 dir=$3 producer=$4
    shift 4
    local want before spid lpid rc
    want=$([ "$sig" = INT ] && echo 130 || echo 143)
    before=$(snap "$dir")
    exec 3< <(exec bash -c "$producer")
    spid=$!
    E2E_PIDS+=("$spid")
    "$L" split -o "$dir" "$@" - <&3 >/dev/null 2>sig.err &
    lpid=$!
    E2E_PIDS+=("$lpid")
    exec 3<&-
    if ! wait_handlers "$lpid" 30; then
        fail "SIG$sig, $what: ladle never installed its signal handlers (or exited early)" "stderr: $(head -c 300 sig.err)"
        kill -9 "$lpid" "$spid" 2>/dev/null
        wait "$lpid" 2>/dev/null
        return
    fi
    sleep 0.7
    kill -"$sig" "$lpid"
    if wait_gone "$lpid" 5; then
        wait "$lpid"
        rc=$?
        expect_eq "SIG$sig, $what (ladle split -o $dir $* - <pipe): exit status" "$want" "$rc"
        expect_unchanged "SIG$sig, $what" "$dir" "$before"
    else
        fail "SIG$sig, $what (ladle split -o $dir $* - <pipe): still running 5 s after the signal (hang)" \
            "stderr so far: $(head -c 300 sig.err)"
        kill -9 "$lpid" 2>/dev/null
        wait "$lpid" 2>/dev/null
        # a killed run leaves its temporary folder: clean up for the next case
        find "$dir" -maxdepth 1 -name '.ladle-tmp-*' -exec rm -rf {} + 2>/dev/null
        [ "$before" = absent ] && rm -rf "$dir"
    fi
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
}

# term_file early|closing LIMIT: `ladle split --force --level 19 -t 1` of a 12 MB
# file into sig-file (holding an unrelated file); SIGTERM 0.3 s after its
# handlers are in (early), or once its pipeline threads have ended
# (closing: the reader and worker are gone, so the pipeline is over and
# ladle is compressing the queued frames and closing the shards). Expects
# 143 within LIMIT seconds of the signal and sig-file as before. A run that finished
# before the signal is retried on a file 4 times bigger.
term_file() {
    local when=$1 limit=$2 n=12 i k cur mx lpid rc before t0
    rm -rf sig-file && mkdir sig-file && echo unrelated >sig-file/notes.txt
    before=$(snap sig-file)
    for i in 1 2 3; do
        [ -f "sigbig$n.jsonl" ] || "${LADLE_GEN:-false}" --bytes "${n}M" --seed 9 >"sigbig$n.jsonl" 2>/dev/null ||
            gen "sigbig$n.jsonl" $((n * 4700)) 9
        "$L" split -o sig-file --force --ratios "$RATIOS" --level 19 -t 1 "sigbig$n.jsonl" >/dev/null 2>sig.err &
        lpid=$!
        E2E_PIDS+=("$lpid")
        # (a signal before the handlers are in would kill it outright)
        wait_handlers "$lpid" 30
        if [ "$when" = early ]; then
            sleep 0.3
        else
            mx=0
            for ((k = 0; k < 3000; k++)); do
                cur=$(find "/proc/$lpid/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
                [ "$cur" = 0 ] && break
                [ "$cur" -gt "$mx" ] && mx=$cur
                # -t 1 runs a reader and a worker: both gone (a sanitizer
                # may keep a thread of its own)
                [ "$mx" -gt 1 ] && { [ "$cur" = 1 ] || [ "$cur" -le $((mx - 2)) ]; } && break
                sleep 0.02
            done
        fi
        kill -TERM "$lpid" 2>/dev/null
        t0=$SECONDS
        if wait_gone "$lpid" "$limit"; then
            wait "$lpid"
            rc=$?
        else
            wait_gone "$lpid" 300 || kill -9 "$lpid" 2>/dev/null
            wait "$lpid"
            rc=$?
            fail "SIGTERM ($when), ladle split --force --level 19 -t 1 on a $n MB file: still running $limit s after the signal (exit $rc after $((SECONDS - t0)) s)" \
                "(are all queued frames compressed before the cancel flag is looked at?)"
        fi
        if [ "$rc" = 0 ] && [ "$when" = closing ]; then
            note "SIGTERM ($when) came after the split had finished: its threads never ended early"
            return
        fi
        if [ "$rc" = 0 ]; then
            note "SIGTERM ($when) came after a $n MB split had finished: retrying with more"
            rm -rf sig-file && mkdir sig-file && echo unrelated >sig-file/notes.txt
            n=$((n * 4))
            continue
        fi
        expect_eq "SIGTERM ($when), --level 19 -t 1 on a $n MB file: exit status" 143 "$rc"
        if [ "$rc" = 143 ] && grep -q "the run had ended: the dataset is committed" sig.err; then
            # the signal came after the commit point: the message says so
            note "SIGTERM ($when) came after the $n MB split's commit"
            "$L" verify sig-file >/dev/null 2>&1 && pass ||
                fail "SIGTERM ($when) after the commit: sig-file does not verify" "$(cat sig.err)"
            return
        fi
        expect_unchanged "SIGTERM ($when), a large file" sig-file "$before"
        return
    done
}

test_failures() {
    local before r sig want lpid rc n i
    gen big.jsonl 40000 5 # ~8.5 MB: shards well over 200 KiB

    # (a) a write that fails (EFBIG): exit 4, one line naming the shard
    run_sh "ulimit -f 200; exec $(q "$L") split -o wf --ratios $RATIOS --seed $SEED big.jsonl"
    expect_eq "ulimit -f 200; ladle split -o wf (new DIR): exit" 4 "$RC"
    expect_stderr_match '^ladle: wf/(train|val|test)/part-[0-9]{5}\.jsonl\.zst: cannot write: '
    expect_unchanged "write error, new DIR" wf absent
    # the same over an existing dataset with --force: the old one stays whole
    split_ok "old dataset" split -o wf2 --ratios "$RATIOS" --seed 1 --shard-records 500 a.jsonl
    echo unrelated >wf2/notes.txt
    before=$(snap wf2)
    run_sh "ulimit -f 200; exec $(q "$L") split -o wf2 --force --ratios $RATIOS --seed $SEED big.jsonl"
    expect_eq "ulimit -f 200; ladle split -o wf2 --force (old dataset): exit" 4 "$RC"
    expect_stderr_match '^ladle: wf2/(train|val|test)/part-[0-9]{5}\.jsonl\.zst: cannot write: '
    expect_unchanged "write error, --force over a dataset" wf2 "$before"
    expect_rc 0 "$L" verify -q wf2
    # the cards and the manifest (the commit point) cannot be written: 64
    # splits of tiny shards, a README.md (written first) over 8 KiB
    r=$(for i in $(seq 0 63); do printf 's%02d=0.015625,' "$i"; done)
    r=${r%,}
    awk 'BEGIN { for (i = 0; i < 640; i++) printf "line %d\n", i }' >small.txt
    before=$(snap wf2)
    run_sh "ulimit -f 8; exec $(q "$L") split -o wf2 --force --ratios $r small.txt"
    expect_eq "ulimit -f 8; ladle split (64 splits) -o wf2 --force: exit" 4 "$RC"
    expect_stderr_match '^ladle: wf2/README.md: cannot write: '
    expect_unchanged "manifest write error, --force over a dataset" wf2 "$before"

    # (b) signals: blocked on a pipe part way through the input
    for sig in TERM INT; do
        interrupt_split "$sig" "new DIR, 3 MB then a silent pipe" "sig-new-$sig" \
            "head -c 3000000 big.jsonl; exec sleep 60" --ratios "$RATIOS" --seed "$SEED"
        split_ok "old dataset" split -o "sig-old-$sig" --ratios "$RATIOS" --seed 1 a.jsonl
        echo unrelated >"sig-old-$sig/notes.txt"
        interrupt_split "$sig" "--force over a dataset, 3 MB then a silent pipe" "sig-old-$sig" \
            "head -c 3000000 big.jsonl; exec sleep 60" --force --ratios "$RATIOS" --seed "$SEED"
        # two passes (--stratify): stdin is spooled to read it twice
        interrupt_split "$sig" "--stratify (stdin spooled), 1 MB then a silent pipe" "sig-sp-$sig" \
            "head -c 1000000 big.jsonl; exec sleep 60" --ratios "$RATIOS" --stratify level
    done
    # a large file, one thread, slow compression (--level 19: ~1 s a frame)
    term_file early 30
    # the same, TERM once the pipeline's threads are gone (all input read,
    # the queued frames being compressed and the shards closed): still
    # within seconds, not after every queued frame is compressed
    term_file closing 4

    # (c) a non-empty DIR: refused; --force keeps unrelated files and
    # replaces the dataset
    mkdir ne && echo unrelated >ne/notes.txt
    before=$(snap ne)
    expect_rc_what 4 "non-empty DIR" "$L" split -o ne --ratios "$RATIOS" a.jsonl
    expect_stderr_match '^ladle: ne: .*not empty'
    expect_unchanged "non-empty DIR" ne "$before"
    split_ok "--force" split -o ne --force --ratios "$RATIOS" --seed 1 --shard-records 1000 a.jsonl
    expect_eq "--force: the unrelated file is kept" unrelated "$(cat ne/notes.txt 2>/dev/null)"
    check_dataset "--force" ne
    expect_rc 0 "$L" verify ne
    expect_rc_what 4 "a dataset without --force" "$L" split -o ne --ratios "$RATIOS" a.jsonl
    local old_train
    old_train=$(split_cat ne train | sha_of /dev/stdin)
    split_ok "--force again" split -o ne --force --ratios "$RATIOS" --seed 2 a.jsonl
    expect_eq "--force again: the old shards are gone, one shard per split" \
        "ne/README.md ne/croissant.json ne/manifest.json ne/notes.txt ne/test/part-00000.jsonl.zst ne/train/part-00000.jsonl.zst ne/val/part-00000.jsonl.zst" \
        "$(find ne -type f | sort | tr '\n' ' ' | sed 's/ $//')"
    expect_eq "--force again: the manifest is the new run's" 2 "$(mf_get ne seed)"
    if [ "$(split_cat ne train | sha_of /dev/stdin)" != "$old_train" ]; then pass; else
        fail "--force again: train still holds the old run's records"
    fi
    check_dataset "--force again" ne
    expect_rc 0 "$L" verify ne
    expect_eq "--force again: the unrelated file is kept" unrelated "$(cat ne/notes.txt 2>/dev/null)"
    # replacing it with a dataset of other split names: the old dataset's
    # splits (listed in the old manifest) go too, so the result verifies
    split_ok "--force, other split names" split -o ne --force --ratios a=0.5,b=0.5 --seed 3 a.jsonl
    expect_eq "--force with other split names: only the new dataset and the unrelated file remain" \
        "ne/README.md ne/a/part-00000.jsonl.zst ne/b/part-00000.jsonl.zst ne/croissant.json ne/manifest.json ne/notes.txt" \
        "$(find ne -type f | sort | tr '\n' ' ' | sed 's/ $//')"
    check_dataset "--force with other split names" ne
    expect_rc_what 0 "--force with other split names: the new dataset verifies" "$L" verify ne

    # (d) bad split names, (e) ratios not summing to 1: exit 2, nothing made
    local n65 bad
    n65=$(printf 'a%.0s' $(seq 65))
    for bad in "../x=0.5,y=0.5" "a=0.5,a=0.5" "=0.5,b=0.5" "a=0.5,,b=0.5" "$n65=0.5,b=0.5" \
        "a/b=0.5,c=0.5" ".=0.5,b=0.5" "a=0.5,b=0.4" "a=0.6,b=0.5" "a=0.5,b=0.3,c=0.1" \
        "a=0.5,b=0.3,c=0.3" "a=0,b=1" "a=-0.5,b=1.5" "a=0.5,b=x"; do
        expect_rc_what 2 "--ratios '$bad'" "$L" split -o bad-names --ratios "$bad" a.jsonl
        expect_stderr_match '^ladle: --ratios: '
        expect_unchanged "--ratios '$bad'" bad-names absent
    done
    # a 64-character name is fine
    split_ok "64-char name" split -o n64 --ratios "${n65:1}=0.5,b=0.5" a.jsonl &&
        expect_true "a 64-character split name makes its folder" test -d "n64/${n65:1}"
    # (f) cutoffs that do not increase
    local c
    for c in "2026-11-01T00:00:12Z,2026-11-01T00:00:06Z" "2026-11-01T00:00:06Z,2026-11-01T00:00:06Z" \
        "1793491212,1793491206"; do
        expect_rc_what 2 "--cutoffs $c" "$L" split -o bad-cut --ratios a,b,c --time-field ts --cutoffs "$c" a.jsonl
        expect_stderr_match '^ladle: --cutoffs: .*not after'
        expect_unchanged "--cutoffs $c" bad-cut absent
    done
    # (g) DIR is a file
    echo "a file" >afile
    before=$(snap afile)
    expect_rc_what 4 "DIR is a file" "$L" split -o afile --ratios "$RATIOS" a.jsonl
    expect_stderr_match '^ladle: afile: '
    expect_unchanged "DIR is a file" afile "$before"
    expect_rc_what 4 "DIR is a file, --force" "$L" split -o afile --force --ratios "$RATIOS" a.jsonl
    expect_unchanged "DIR is a file, --force" afile "$before"
    # an input error part way (a truncated .gz after a good file): exit 3
    head -c 20000 a.jsonl.gz >trunc.gz
    expect_rc_what 3 "truncated input" "$L" split -o tr-in --ratios "$RATIOS" a.jsonl trunc.gz
    expect_unchanged "truncated input, new DIR" tr-in absent
    before=$(snap ne)
    expect_rc_what 3 "truncated input, --force" "$L" split -o ne --force --ratios "$RATIOS" a.jsonl trunc.gz
    expect_unchanged "truncated input, --force over a dataset" ne "$before"

    # --missing error: the message says where the record is, as far as it is known
    printf '{"user":"a"}\n{"x":1}\n{"user":"b"}\n' >nouser.jsonl
    expect_rc_what 3 "--by, a record without it, --missing error" \
        "$L" split -o no-user --by user --missing error --ratios "$RATIOS" nouser.jsonl
    expect_stderr_match "^ladle: nouser.jsonl: no field 'user' \\(record at offset 13; see --missing\\)$"
    expect_unchanged "--missing error" no-user absent
    # after a design the record was copied out of its chunk: no offset to give
    expect_rc_what 3 "--rate 1 --by, a record without it, --missing error" \
        "$L" split -o no-user --rate 1 --by user --missing error --ratios "$RATIOS" nouser.jsonl
    expect_stderr_match "^ladle: nouser.jsonl: no field 'user' \\(a sampled record; see --missing\\)$"
    expect_unchanged "--rate 1, --missing error" no-user absent

    # (h) a symlink named like a split: --force never writes through it
    mkdir elsewhere && echo precious >elsewhere/keep
    local else_before
    else_before=$(snap elsewhere)
    mkdir sl && ln -s "$T/elsewhere" sl/train
    before=$(snap sl)
    expect_rc_what 4 "DIR holding a symlink, no --force" "$L" split -o sl --ratios "$RATIOS" a.jsonl
    expect_unchanged "DIR holding a symlink, no --force" sl "$before"
    # a failing run first: the link is left as it was
    before=$(snap sl)
    run_sh "ulimit -f 200; exec $(q "$L") split -o sl --force --ratios $RATIOS --seed $SEED big.jsonl"
    expect_eq "symlink train, --force, write error: exit" 4 "$RC"
    expect_unchanged "symlink train, --force, write error" sl "$before"
    expect_unchanged "symlink train, --force, write error: the link's target" elsewhere "$else_before"
    split_ok "symlink train, --force" split -o sl --force --ratios "$RATIOS" a.jsonl
    expect_unchanged "symlink train, --force: the link's target" elsewhere "$else_before"
    if [ -d sl/train ] && [ ! -L sl/train ]; then pass; else
        fail "symlink train, --force: sl/train is not a real folder of the new dataset"
    fi
    check_dataset "symlink train, --force" sl
    expect_rc 0 "$L" verify sl
    # a symlink named manifest.json
    echo "not a manifest" >elsewhere/m.json
    else_before=$(snap elsewhere)
    mkdir sl2 && ln -s "$T/elsewhere/m.json" sl2/manifest.json && ln -s "$T/elsewhere" sl2/val
    split_ok "symlink manifest.json, --force" split -o sl2 --force --ratios "$RATIOS" a.jsonl
    expect_unchanged "symlink manifest.json and val, --force: the links' targets" elsewhere "$else_before"
    expect_true "symlink manifest.json, --force: sl2/manifest.json is a plain file" test ! -L sl2/manifest.json
    expect_rc 0 "$L" verify sl2
}

# ---------------------------------------------------------------- 12 commit

# The commit, the lock and what dead runs leave (issue 7, item 7; the
# sweep in tests/fault injects the faults themselves).
# stderr_has REGEX: a line of the last run's stderr matches (egrep).
stderr_has() {
    if grep -qE "$1" "$T/err"; then pass; else
        fail "$LAST_CMD: no stderr line matches /$1/" "stderr: $(head -c 600 "$T/err" | cat -v)"
    fi
}

test_commit() {
    local before lpid spid i
    # --force over a dataset whose manifest is corrupt: every folder that
    # holds only part-* files goes, unrelated files stay
    split_ok "old dataset" split -o cm --ratios "$RATIOS" --seed 1 a.jsonl || return
    echo unrelated >cm/notes.txt
    mkdir cm/mine && echo mine >cm/mine/part-notes.txt && echo x >cm/mine/readme
    echo '{"splits": [' >cm/manifest.json
    split_ok "--force over a corrupt manifest" split -o cm --force --ratios a=0.5,b=0.5 --seed 2 a.jsonl
    expect_eq "--force over a corrupt manifest: only the new dataset and the unrelated entries remain" \
        "cm/README.md cm/a/part-00000.jsonl.zst cm/b/part-00000.jsonl.zst cm/croissant.json cm/manifest.json cm/mine/part-notes.txt cm/mine/readme cm/notes.txt" \
        "$(find cm -type f | sort | tr '\n' ' ' | sed 's/ $//')"
    expect_rc 0 "$L" verify cm

    # a dead run's temporary folder: verify reports it, the next run (even
    # without --force, in an otherwise empty DIR) removes it and says so
    mkdir -p dead/.ladle-tmp-AbC123/train && echo partial >dead/.ladle-tmp-AbC123/train/part-00000.jsonl.zst
    split_ok "a DIR holding only a dead run's temporary folder" split -o dead --ratios "$RATIOS" a.jsonl
    stderr_has '^ladle: dead/\.ladle-tmp-AbC123: removed: a temporary folder left by a run that did not finish$'
    check_dataset "after a dead run" dead
    mkdir -p dead/.ladle-tmp-XyZ789/val
    expect_rc_what 3 "verify, a stray temporary folder" "$L" verify dead
    stderr_has '^ladle: dead/\.ladle-tmp-XyZ789: a temporary folder left by a run that did not finish'
    expect_rc_what 0 "verify --repair, a stray temporary folder" "$L" verify --repair dead
    stderr_has '^ladle: dead/\.ladle-tmp-XyZ789: removed'
    expect_eq "verify --repair: the stray is gone" "" "$(find dead -maxdepth 1 -name '.ladle-tmp-*')"
    # --force, too, removes it (0.1.0 kept it beside the new dataset)
    mkdir -p dead/.ladle-tmp-XyZ789/val
    split_ok "--force, a dead run's temporary folder" split -o dead --force --ratios "$RATIOS" a.jsonl
    check_dataset "--force after a dead run" dead
    # verify reports split folders the manifest does not list
    mkdir dead/old && cp dead/val/part-00000.jsonl.zst dead/old/
    expect_rc_what 3 "verify, an unlisted split folder" "$L" verify dead
    stderr_has '^ladle: dead/old/part-00000\.jsonl\.zst: not listed in manifest\.json'
    rm -r dead/old

    # a pending commit (what a kill between the commit point and the end
    # leaves): the staged manifest lists the dataset in the temporary folder
    split_ok "a dataset to stage" split -o pend-src --ratios "$RATIOS" --seed 3 a.jsonl || return
    split_ok "an old dataset" split -o pend --ratios a=0.5,b=0.5 --seed 4 a.jsonl || return
    local tmp=.ladle-tmp-Pend01
    mkdir "pend/$tmp" && cp -r pend-src/train pend-src/val pend-src/test pend-src/manifest.json \
        pend-src/README.md pend-src/croissant.json "pend/$tmp/"
    awk -v t="$tmp" '/"file": "/ { sub(/"file": "/, "\"file\": \"" t "/") }
        /^}/ { print "  ,\"commit_pending\": {\"folder\": \"" t "\", \"retire\": [\"a\", \"b\"], \"cards\": true}" } { print }' \
        pend-src/manifest.json >"pend/$tmp/staged"
    mv "pend/$tmp/staged" pend/manifest.json
    expect_rc_what 3 "verify, a pending commit" "$L" verify pend
    stderr_has '^ladle: pend/manifest\.json: a commit that did not finish'
    expect_rc_what 0 "verify --repair, a pending commit" "$L" verify --repair pend
    stderr_has "^ladle: pend: finished the commit of a run that was interrupted \\($tmp\\)\$"
    expect_eq "verify --repair: the staged dataset in place, the old one gone" \
        "pend/README.md pend/croissant.json pend/manifest.json pend/test/part-00000.jsonl.zst pend/train/part-00000.jsonl.zst pend/val/part-00000.jsonl.zst" \
        "$(find pend -type f | sort | tr '\n' ' ' | sed 's/ $//')"
    expect_eq "verify --repair: the manifest is the staged run's" "$(cat pend-src/manifest.json)" "$(cat pend/manifest.json)"
    check_dataset "after --repair" pend

    # what a kill left in ladle 0.1.0's commit: train moved into
    # .ladle-tmp-*/.old, the old manifest still in place: put back
    split_ok "a dataset" split -o legacy --ratios "$RATIOS" --seed 5 a.jsonl || return
    before=$(snap legacy)
    mkdir -p legacy/.ladle-tmp-Leg001/.old legacy/.ladle-tmp-Leg001/train
    mv legacy/train legacy/.ladle-tmp-Leg001/.old/
    expect_rc_what 0 "verify --repair, a 0.1.0 commit killed half way" "$L" verify --repair legacy
    stderr_has '^ladle: legacy/train: put back from \.ladle-tmp-Leg001/\.old'
    expect_unchanged "verify --repair, a 0.1.0 commit killed half way" legacy "$before"

    # a live run holds DIR: a second run and --repair are refused, verify
    # says a run is writing; the first run is left to finish (here: TERM)
    split_ok "a dataset under a live run" split -o live --ratios "$RATIOS" --seed 1 a.jsonl || return
    before=$(snap live)
    exec 3< <(exec bash -c "head -c 200000 a.jsonl; exec sleep 60")
    spid=$!
    E2E_PIDS+=("$spid")
    "$L" split -o live --force --ratios "$RATIOS" - <&3 >/dev/null 2>live.err &
    lpid=$!
    E2E_PIDS+=("$lpid")
    exec 3<&-
    if wait_handlers "$lpid" 30; then
        for ((i = 0; i < 100; i++)); do
            [ -n "$(find live -maxdepth 1 -name '.ladle-tmp-*')" ] && break
            sleep 0.05
        done
        expect_rc_what 4 "a second run on a DIR a live run holds" "$L" split -o live --force --ratios "$RATIOS" a.jsonl
        stderr_has '^ladle: live: another ladle run is writing this folder'
        expect_rc_what 3 "verify while a run writes" "$L" verify live
        stderr_has '^ladle: live: a ladle run is writing this folder now'
        expect_rc_what 4 "verify --repair while a run writes" "$L" verify --repair live
        kill -TERM "$lpid"
        wait_gone "$lpid" 10
        wait "$lpid"
        expect_eq "the live run, TERM: exit" 143 "$?"
        expect_unchanged "the live run, TERM" live "$before"
    else
        fail "a live run: ladle never installed its signal handlers" "$(head -c 300 live.err)"
        kill -9 "$lpid" 2>/dev/null
    fi
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
}

SECONDS=0
# --balance under a class of one record keeps almost nothing: said on stderr
# (it used to be said only under -v), with the class and a milder mode.
test_balance_warning() {
    make_log "$T/bw.log" 6000 9
    printf '{"user":"zz","level":"RARE"}\n' >>"$T/bw.log"
    expect_rc 0 "$LADLE" split -o "$T/bw" --ratios train=0.8,test=0.2 --by user --balance level "$T/bw.log"
    expect_stderr_match "^ladle: warning: $T/bw: --balance kept [0-9]+ of [0-9]+ records of split 'train' \([0-9.]+%\): class 'RARE' has 1 record and sets every class's size; --balance-mode cap:[0-9]+ or ratio:[0-9]+ would keep about half$"
    expect_rc 0 "$LADLE" split -o "$T/bw" --force --ratios train=0.8,test=0.2 --by user --balance level --balance-mode cap:2 "$T/bw.log"
    expect_stderr_match "^ladle: warning: $T/bw: --balance kept [0-9]+ of [0-9]+ records of split 'train' \([0-9.]+%\): cap:2 sets every class's size; cap:[0-9]+ would keep about half$"
    # a balance that keeps most of the split says nothing
    expect_rc 0 "$LADLE" split -o "$T/bw" --force --ratios train=0.8,test=0.2 --by user --balance level --balance-mode cap:100000 "$T/bw.log"
    expect_stderr_empty
}

for t in shares union grouped time stratify balance balance_warning verify determinism shards designs failures commit; do
    s0=$SECONDS
    f0=$FAILED
    "test_$t"
    echo "$t: ${SECONDS}s cumulative, $((SECONDS - s0))s, $((FAILED - f0)) failed"
done
finish
