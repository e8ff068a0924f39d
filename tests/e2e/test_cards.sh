#!/usr/bin/env bash
# Dataset cards (issue 12, part 3): every commit path -- split, sample -o,
# split --append, merge -o -- writes README.md and croissant.json next to
# manifest.json. Checked on each: the manifest's sha256 of every shard is
# what sha256sum prints; README.md's YAML header has the license and one
# data_files entry per split whose glob matches exactly that split's
# shards (and sep for tsv); croissant.json is valid JSON with Croissant
# 1.0's required keys, a FileObject per shard with its sha256, a FileSet
# per split whose includes glob matches exactly its shards, and a
# RecordSet of the first record's fields (JSON keys, tsv header columns).
# ladle verify fails (exit 3, one line naming the file) when a shard's
# sha256, croissant.json or README.md's header is altered, and passes
# when only the card text below the header is edited; a 0.5.0 dataset
# (no sha256, no license, no cards) still verifies. --license is recorded
# and kept by --append (given again: refused). A failed run leaves no card.
# Plain json + zstandard (python3-zstandard, when installed) reading the
# README's globs and the FileSets' includes find the manifest's records.
. "$(dirname "$0")/lib.sh"
L=$LADLE
PY=/usr/bin/python3
command -v sha256sum >/dev/null || skip "sha256sum is needed"
[ -x "$PY" ] || skip "$PY is needed"
"$PY" -c 'import yaml' 2>/dev/null || skip "python3-yaml is needed"
cd "$T" || exit 1

awk 'BEGIN { for (i = 0; i < 3000; i++)
    printf "{\"id\":%d,\"user\":\"u%d\",\"level\":\"%s\",\"x\":%.3f,\"ok\":%s}\n",
        i, i % 401, (i % 5 ? "INFO" : "WARN"), i / 7.0, (i % 2 ? "true" : "false") }' >a.jsonl
awk 'BEGIN { for (i = 3500; i < 3600; i++)
    printf "{\"id\":%d,\"user\":\"u%d\",\"level\":\"INFO\",\"x\":1.5,\"ok\":true}\n", i, i % 37 }' >c.jsonl
awk 'BEGIN { for (i = 3000; i < 3500; i++)
    printf "{\"id\":%d,\"user\":\"u%d\",\"level\":\"INFO\",\"x\":1.5,\"ok\":true}\n", i, i % 37 }' >b.jsonl
printf 'name\tscore\tnote x\n' >a.tsv
awk 'BEGIN { for (i = 0; i < 800; i++) printf "n%d\t%d\tt%d\n", i, i % 11, i }' >>a.tsv

# check DIR [FIELDS]: the cards of DIR against its manifest and its files;
# FIELDS: the record set's field names, comma-separated ("" for none).
cat >check.py <<'PY'
import glob, hashlib, json, os, sys, yaml
d, want_fields = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(d, "manifest.json")))
c = json.load(open(os.path.join(d, "croissant.json")))
text = open(os.path.join(d, "README.md")).read()
bad = []
def sha(p):
    return hashlib.sha256(open(os.path.join(d, p), "rb").read()).hexdigest()
shards = {s["name"]: [e["file"] for e in s["shards"]] for s in m["splits"]}
for s in m["splits"]:
    for e in s["shards"]:
        if e.get("sha256") != sha(e["file"]):
            bad.append("manifest sha256 of %s" % e["file"])
def matches(pattern):
    return sorted(os.path.relpath(p, d) for p in glob.glob(os.path.join(d, pattern)))
# README.md: the YAML header
assert text.startswith("---\n")
head = yaml.safe_load(text.split("---\n")[1])
if head["license"] != m["license"]:
    bad.append("README license")
cfg = head["configs"]
if len(cfg) != 1 or cfg[0]["config_name"] != "default":
    bad.append("README configs")
df = cfg[0]["data_files"]
if [x["split"] for x in df] != [s["name"] for s in m["splits"]]:
    bad.append("README data_files splits")
for x in df:
    if matches(x["path"]) != sorted(shards[x["split"]]):
        bad.append("README glob %s matches %s" % (x["path"], matches(x["path"])))
if m["format"] == "tsv" and cfg[0].get("sep") != "\t":
    bad.append("README sep")
# croissant.json
for k in ("@context", "@type", "conformsTo", "name", "description", "license", "version",
          "distribution"):
    if k not in c:
        bad.append("croissant lacks " + k)
if c["@type"] != "sc:Dataset" or c["conformsTo"] != "http://mlcommons.org/croissant/1.0":
    bad.append("croissant type or conformsTo")
if c["@context"].get("conformsTo") != "dct:conformsTo" or c["@context"].get("cr") != "http://mlcommons.org/croissant/":
    bad.append("croissant @context")
if c["license"] != m["license"]:
    bad.append("croissant license")
objs = {o["contentUrl"]: o for o in c["distribution"] if o["@type"] == "cr:FileObject"}
every = sorted(f for fs in shards.values() for f in fs)
if sorted(objs) != every:
    bad.append("croissant FileObjects %s, shards %s" % (sorted(objs), every))
for f, o in objs.items():
    if o.get("sha256") != sha(f) or o["@id"] != f:
        bad.append("croissant FileObject " + f)
sets = [o for o in c["distribution"] if o["@type"] == "cr:FileSet"]
if [o["name"] for o in sets] != [s["name"] for s in m["splits"]]:
    bad.append("croissant FileSets")
for o in sets:
    if matches(o["includes"]) != sorted(shards[o["name"]]):
        bad.append("croissant FileSet glob " + o["includes"])
ids = [o["@id"] for o in c["distribution"]]
if len(ids) != len(set(ids)):
    bad.append("croissant @ids repeat")
rs = c.get("recordSet", [])
got = [",".join(f["name"] for f in r["field"]) for r in rs]
if want_fields:
    if got != [want_fields] * len(m["splits"]):
        bad.append("record sets: %s" % got)
    for r in rs:
        for f in r["field"]:
            if f["source"]["fileSet"]["@id"] not in [o["@id"] for o in sets]:
                bad.append("field source " + f["@id"])
elif rs:
    bad.append("record sets where none were expected")
# Loading with no glue: plain zstandard + json over README's globs and the
# FileSets' includes finds each split's records, as many as the manifest says.
try:
    import zstandard
except ImportError:
    zstandard = None
def records(pattern):
    n = 0
    for p in sorted(glob.glob(os.path.join(d, pattern))):
        with open(p, "rb") as f:
            data = zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True).read()
        lines = data.decode().splitlines()
        if m["header"]:
            lines = lines[1:]
        if m["format"] == "jsonl":
            [json.loads(x) for x in lines]
        n += len(lines)
    return n
if zstandard:
    want = {s["name"]: s["records"] for s in m["splits"]}
    for x in df:
        if records(x["path"]) != want[x["split"]]:
            bad.append("records through README's glob " + x["path"])
    for o in sets:
        if records(o["includes"]) != want[o["name"]]:
            bad.append("records through the FileSet " + o["includes"])
print("\n".join(bad) if bad else "ok")
PY

check() {
    local out
    out=$("$PY" check.py "$@" 2>&1)
    if [ "$out" = ok ] && [ -z "$(find "$1" -maxdepth 1 -name '.ladle-tmp-*')" ]; then pass; else fail "cards of $1" "$out"; fi
}
verify_ok() {
    if "$L" verify "$1" >/dev/null 2>v.err; then pass; else fail "verify $1 ($2)" "$(cat v.err)"; fi
}
# verify_bad DIR WHAT GREP: exit 3 and one problem line matching GREP.
verify_bad() {
    "$L" verify "$1" >/dev/null 2>v.err
    local rc=$?
    if [ $rc = 3 ] && [ "$(grep -c '^ladle: ' v.err)" = 2 ] && grep -q -- "$3" v.err; then pass; else fail "verify after $2: rc $rc" "$(cat v.err)"; fi
}

F=id,user,level,x,ok
"$L" split -o s --ratios train=0.8,val=0.1,test=0.1 --by user --seed 3 --shard-records 500 \
    --license cc-by-4.0 a.jsonl || fail "split"
check s "$F"
verify_ok s split
grep -q '^license: "cc-by-4.0"$' s/README.md && pass || fail "README license line"
grep -q '"license": "cc-by-4.0"' s/manifest.json && pass || fail "manifest license"
"$L" split --append -o s b.jsonl || fail "append"
check s "$F"
verify_ok s append
grep -q '"version": "1.1.0"' s/croissant.json && pass || fail "croissant version after append"
grep -q '^license: "cc-by-4.0"$' s/README.md && pass || fail "append keeps the license"
"$L" split --append -o s --license mit b.jsonl 2>/dev/null
[ $? = 2 ] && pass || fail "--append --license is refused (exit 2)"

"$L" sample --rate 0.5 --seed 2 -o o --format tsv --header a.tsv || fail "sample -o"
check o "name,score,note x"
verify_ok o "sample -o"
grep -q '^license: "unknown"$' o/README.md && pass || fail "default license"

for k in 1 2; do
    "$L" split -o p$k --ratios train=0.5,test=0.5 --part $k/2 --seed 4 a.jsonl || fail "part $k"
done
"$L" merge -o j p2 p1 || fail "merge -o"
check j "$F"
verify_ok j "merge -o"

"$L" split -o t --ratios a=0.5,b=0.5 a.tsv --format tsv || fail "split tsv, no header"
check t ""
grep -q '^  header: null$' t/README.md && pass || fail "README header: null without a header line"

# damage, one thing at a time
# (the manifest's and croissant.json's values both: croissant.json is the manifest's)
cp -r s x
h=$(grep -m1 -o '"sha256": "[0-9a-f]*"' x/manifest.json | cut -d'"' -f4)
h2=$(printf '%s' "$h" | tr 0-9a-f 1-9a-f0)
sed -i "s/$h/$h2/" x/manifest.json x/croissant.json
verify_bad x "a shard's sha256 changed" "SHA-256 is $h, manifest says $h2"
rm -rf x && cp -r s x && sed -i 's/"version": "1.1.0"/"version": "1.1.1"/' x/croissant.json
verify_bad x "croissant.json edited" "croissant.json: differs"
rm -rf x && cp -r s x && sed -i 's/^license: .*/license: "mit"/' x/README.md
verify_bad x "the README header edited" "README.md: its YAML header"
rm -rf x && cp -r s x && rm x/croissant.json
verify_bad x "croissant.json removed" "croissant.json: missing"
rm -rf x && cp -r s x && printf '\nMy own notes.\n' >>x/README.md && sed -i 's/^# a$/# my data/' x/README.md
verify_ok x "the card text below the header edited"

# a dataset of 0.5.0: no sha256, no license, no cards
# old05 DIR: DIR made as 0.5.0 would have.
old05() {
    rm -f "$1/README.md" "$1/croissant.json"
    "$PY" - "$1/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
del m["license"]
for s in m["splits"]:
    for e in s["shards"]:
        del e["sha256"]
open(sys.argv[1], "w").write(json.dumps(m, indent=2) + "\n")
PY
}
rm -rf x && cp -r s x && old05 x
verify_ok x "a 0.5.0 dataset"
"$L" verify -v x 2>&1 | grep -q "cards not checked" && pass || fail "verify -v notes the missing cards"
# --append to it fills every sha256 and writes the cards
"$L" split --append -o x c.jsonl || fail "append to a 0.5.0 dataset"
[ "$(grep -c '"sha256"' x/manifest.json)" = "$(grep -c '"xxh3_128"' x/manifest.json)" ] && pass || fail "append fills sha256"
check x "$F"
verify_ok x "append to a 0.5.0 dataset"

# merge -o of 0.5.0 parts: every sha256 computed, the cards written
rm -rf q1 q2 jq && cp -r p1 q1 && cp -r p2 q2 && old05 q1 && old05 q2
"$L" merge -o jq q1 q2 || fail "merge -o of 0.5.0 parts"
check jq "$F"
verify_ok jq "merge -o of 0.5.0 parts"

# review findings: a tsv with another delimiter names its columns with it
# (manifest "delimiter", README sep, croissant fields); repeated or empty
# header names get unique @ids; a license that is not UTF-8 is refused
printf 'x;y\n1;q1\n2;q2\n3;q3\n4;q4\n' >semi.tsv
"$L" split -o dsemi --ratios a=0.5,b=0.5 --format tsv -d ';' -H --seed 3 --allow-empty semi.tsv || fail "tsv -d ';' split"
grep -q '"delimiter": ";"' dsemi/manifest.json && grep -q '  sep: ";"' dsemi/README.md && pass || fail "tsv -d ';': manifest delimiter or README sep"
"$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); n=[f["name"] for f in c["recordSet"][0]["field"]]; sys.exit(n != ["x","y"])' dsemi/croissant.json && pass || fail "tsv -d ';': croissant fields are not x, y"
verify_ok dsemi "tsv -d ';'"
printf 'x\tx\t\n1\t2\t3\n4\t5\t6\n' >dup.tsv
"$L" split -o ddup --ratios a=0.5,b=0.5 --format tsv -H --seed 3 --allow-empty dup.tsv || fail "tsv with repeated names"
"$PY" -c 'import json,sys
c = json.load(open(sys.argv[1]))
ids = [d["@id"] for d in c["distribution"]] + [r["@id"] for r in c["recordSet"]]
ids += [f["@id"] for r in c["recordSet"] for f in r["field"]]
sys.exit(len(ids) != len(set(ids)))' ddup/croissant.json && pass || fail "croissant @ids repeat"
expect_rc 2 "$L" split -o dlic --ratios a=0.5,b=0.5 --license "$(printf 'caf\351')" a.jsonl
[ ! -e dlic ] && pass || fail "a refused --license left dlic"

# a failed run leaves no card (and DIR as it was)
"$L" split -o f --ratios a=0.5,b=0.5 a.jsonl missing.jsonl 2>/dev/null
[ ! -e f ] && pass || fail "a failed split left $(ls -A f)"
before=$(cd s && find . -type f | sort | xargs sha256sum)
"$L" split -o s --force --ratios a=0.5,b=0.5 a.jsonl missing.jsonl 2>/dev/null
[ "$(cd s && find . -type f | sort | xargs sha256sum)" = "$before" ] && [ -z "$(find s -name '.ladle-tmp-*')" ] && pass || fail "a failed --force run changed DIR"
finish
