#!/usr/bin/env bash
# Writes the seed inputs of tests/fuzz/corpus/<target>/ (files named
# seed-*; crashes found later are checked in beside them as crash-*).
# usage: tests/fuzz/make_seeds.sh PATH/TO/ladle
# Needs python3, zstd and gzip. Deterministic: rerunning it gives the same files.
set -euo pipefail
ladle=$(realpath "$1")
cd "$(dirname "$0")"
c=corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
put() { mkdir -p "$c/$1"; printf '%b' "$3" >"$c/$1/seed-$2"; }

# framer: byte 0 piece size, byte 1 headroom and --max-record, then the stream.
put framer lines '\x07\x03a\nbb\n\nccc\r\nlast'
put framer long '\x00\x000123456789abcdefghijklmnopqrstuvwxyz0123456789\nx\n'
put framer maxrec '\x03\x44abcdefgh\nabcdefghi\n'
put framer empty '\x05\x00'

# field extractors: flags byte, spec line, [header line], records.
put field_tsv num '\x00' ; printf '2\na\tb\tc\n1\t\t3\nx\n' >>"$c/field_tsv/seed-num"
put field_tsv header '\x04'; printf 'user\nid\tuser\n1\talice\n2\n' >>"$c/field_tsv/seed-header"
put field_tsv link '\x10'; printf '1:2\na\tb\n' >>"$c/field_tsv/seed-link"
put field_csv quoted '\x00'; printf '2\na,"b,""c""",d\n"x\n1,,2\n' >>"$c/field_csv/seed-quoted"
put field_csv header '\x05'; printf 'name\nid;name\n1;"bob"\n2;"a""b"\n' >>"$c/field_csv/seed-header"
put field_json path '\x00'; printf 'user.id\n{"user":{"id":"a\\u00e9\\n"},"x":[1,2]}\n{"user":{"id":12.5e3}}\n{"user":null}\n' >>"$c/field_json/seed-path"
put field_json array '\x08'; printf 'items.1.sku\n{"items":[{"sku":"a"},{"sku":"b\\"c"}]}\nplain text\n  {"items":[]}\n' >>"$c/field_json/seed-array"
put field_json weight '\x00'; printf 'w\n{"w":1.5}\n{"w":"2"}\n{"w":-1}\n{"w":true}\n' >>"$c/field_json/seed-weight"
put field_regex user '\x00'; printf 'user=(\\w+)\nuser=alice id=1\nnone\n' >>"$c/field_regex/seed-user"
put field_regex time '\x00'; printf '^(\\S+)\n2024-03-05T10:11:12Z GET /\n1700000000.5 x\n' >>"$c/field_regex/seed-time"

# timestamps
put timestamp rfc3339 '2024-02-29T23:59:60.123456789+05:30'
put timestamp simple '2000-01-01T00:00:00Z'
put timestamp space '1999-12-31 23:59:59,5'
put timestamp epoch '1700000000.123456'
put timestamp epochms '-1700000000123.5'
put timestamp date '1677-09-21'

# decoders: real streams, several frames/members, a skippable frame.
text=$tmp/text
{ for i in $(seq 1 200); do echo "line $i of the seed text"; done; printf 'no newline'; } >"$text"
mkdir -p "$c/codec_zstd" "$c/codec_gzip"
zstd -q -c --no-check "$text" >"$c/codec_zstd/seed-plain"
zstd -q -c -19 "$text" >"$c/codec_zstd/seed-checksum"
{ head -c 100 "$text" | zstd -q -c; printf '\x50\x2a\x4d\x18\x04\x00\x00\x00abcd'; tail -c +101 "$text" | zstd -q -c; } >"$c/codec_zstd/seed-frames"
printf '' | zstd -q -c >"$c/codec_zstd/seed-empty"
gzip -n -c "$text" >"$c/codec_gzip/seed-plain"
{ head -c 100 "$text" | gzip -n -c; tail -c +101 "$text" | gzip -n -9 -c; } >"$c/codec_gzip/seed-members"
printf '' | gzip -n -c >"$c/codec_gzip/seed-empty"

# gzip_index: flags byte (1: fix the checksum), then a sidecar `ladle index` wrote.
mkdir -p "$c/gzip_index"
awk 'BEGIN { x = 1; for (i = 1; i <= 12000; i++) { x = (x * 16807) % 2147483647
    printf "record %d %x %d\n", i, x, x % 977 } }' >"$tmp/g"  # Park-Miller: exact in any awk
gzip -n -1 -c "$tmp/g" >"$tmp/g1.gz"
{ head -c 100000 "$tmp/g" | gzip -n -c; printf "" | gzip -n -c; tail -c +100001 "$tmp/g" | gzip -n -9 -c; } >"$tmp/g2.gz"
for g in g1 g2; do
    "$ladle" index --span 64K "$tmp/$g.gz"
    { printf '\x00'; cat "$tmp/$g.gz.ladle-index"; } >"$c/gzip_index/seed-$g"
done

# datasets (verify, seekable, manifest): real `ladle split` output.
printf 'alpha\nbravo\ncharlie\ndelta\necho\nfoxtrot\ngolf\nhotel\n' >"$tmp/input.txt"
"$ladle" split -o "$tmp/ds1" --ratios all=1 --shard-records 3 --seed 1 --threads 1 "$tmp/input.txt"
"$ladle" split -o "$tmp/ds2" --ratios train=0.5,test=0.5 --seed 7 --threads 1 "$tmp/input.txt"
mkdir -p "$c/verify" "$c/seekable" "$c/manifest"
python3 pack_dataset.py "$tmp/ds1" "$c/verify/seed-three-shards"
python3 pack_dataset.py "$tmp/ds2" "$c/verify/seed-two-splits"
# 0.6.0's cards (README.md, croissant.json) over JSON lines and a tsv header:
# verify reads both files and the first line of the first shard.
printf '{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n{"a":3,"b":"z"}\n' >"$tmp/input.jsonl"
printf 'k\tv\nx\t1\ny\t2\n' >"$tmp/input.tsv"
"$ladle" split -o "$tmp/ds3" --ratios train=0.5,test=0.5 --seed 3 --threads 1 --license mit "$tmp/input.jsonl"
"$ladle" split -o "$tmp/ds4" --ratios all=1 --format tsv --header --seed 3 --threads 1 "$tmp/input.tsv"
python3 pack_dataset.py "$tmp/ds3" "$c/verify/seed-cards-jsonl"
python3 pack_dataset.py "$tmp/ds4" "$c/verify/seed-cards-tsv"
cp "$tmp/ds1/manifest.json" "$c/manifest/seed-ok.json"
cp "$tmp/ds1/all/part-00000.txt.zst" "$c/seekable/seed-shard"
python3 - "$c/seekable/seed-nochecksum" <<'PY'
import struct, sys
# Two frames of 5 and 0 bytes (not real zstd: the table is what is read), no checksums.
body = b"ABCDE"
table = struct.pack("<II", 5, 100) + struct.pack("<II", 0, 0)
frame = struct.pack("<II", 0x184D2A5E, len(table) + 9) + table + struct.pack("<IBI", 2, 0, 0x8F92EAB1)
open(sys.argv[1], "wb").write(body + frame)
PY

# sample states (kept_state.h's layout), -n 3 --seed 1: byte 0 is the target's flags.
mkdir -p "$c/kept_state"
python3 - "$c/kept_state" <<'PY'
import struct, sys
def state(letters, version, params, recs):
    out = letters + b"\0\0\0" + bytes([version])
    out += b"".join(struct.pack("<Q", p) for p in params)
    out += struct.pack("<QQ", 10, len(recs))
    for key, inp, off, w, data in recs:
        out += struct.pack("<QQQQd", key, inp, off, len(data), w) + data
    return out
recs = [(0x1234, 0, 0, 0.0, b"alpha\n"), (0x9999, 1, 6, 0.0, b"b\tc\n"), (0x10, 0, 12, 0.0, b"{\"x\":1}\n")]
wrecs = [(k, i, o, w, d) for (k, i, o, _, d), w in zip(recs, (1.5, 1e300, 5e-324))]
d = sys.argv[1]
open(d + "/seed-bottomk", "wb").write(b"\x00" + state(b"LDBK", 2, [3, 1], recs))
open(d + "/seed-bottomk-json", "wb").write(b"\x1c" + state(b"LDBK", 2, [3, 1], recs[:2]))
open(d + "/seed-weighted", "wb").write(b"\x01" + state(b"LDWS", 1, [3, 1, 0], wrecs))
open(d + "/seed-weighted-emit", "wb").write(b"\x0b" + state(b"LDWS", 1, [3, 1, 1], wrecs))
open(d + "/seed-weighted-empty", "wb").write(b"\x03" + state(b"LDWS", 1, [3, 1, 1], []))
PY

# state files (src/state/state.h's LDST layout) without their checksum: byte 0 is
# the target's flags, 3 = append the checksum and set this ladle's contract.
mkdir -p "$c/state"
python3 - "$c/state" <<'PY'
import struct, sys
def s16(b): return struct.pack("<H", len(b)) + b
def s32(b): return struct.pack("<I", len(b)) + b
def state(design, seed, params, header, sources, segments, payload):
    out = b"LDST\0\0\0\x01" + struct.pack("<I", 0) + design + struct.pack("<QI", seed, len(params))
    for t, flag, v in params:
        out += bytes([t]) + s16(flag)
        out += {1: lambda: struct.pack("<Q", v), 2: lambda: struct.pack("<d", v),
                3: lambda: s32(v), 4: lambda: bytes([v])}[t]()
    out += s32(header) + struct.pack("<Q", len(sources))
    for sid, first, gen, stem, path, kind, consumed, records, tail in sources:
        out += struct.pack("<Q", sid) + first + struct.pack("<I", gen) + s16(stem) + s16(path)
        out += bytes([kind]) + struct.pack("<QQHQ", consumed, records, tail, 0xfeed)
        out += struct.pack("<QQQQ", 2049, 131, consumed, 1700000000123456789)
    out += struct.pack("<Q", len(segments))
    for src, a, b in segments:
        out += struct.pack("<IQQ", src, a, b)
    return out + struct.pack("<Q", len(payload)) + payload
d = sys.argv[1]
params = [(1, b"-n", 3), (4, b"--emit-weight", 0), (2, b"--rate", 0.25), (3, b"--field", b"user\tid")]
srcs = [(0x1f3a, bytes(range(16)), 0, b"app.log", b"/var/log/app.log", 0, 8192, 80, 4096),
        (0x2b, b"\xff" * 16, 1, b"x.csv", b"x.csv.gz", 2, 10, 1, 10)]
open(d + "/seed-full", "wb").write(b"\x03" + state(b"LDBK", 1, params, b"a,b\n", srcs,
                                                   [(0, 0, 8192), (1, 0, 10)], b"LDBK\0\0\0\x02payload"))
open(d + "/seed-small", "wb").write(b"\x03" + state(b"LDBK", 1, params[:2], b"", srcs[:1], [], b""))
open(d + "/seed-empty", "wb").write(b"\x03" + state(b"LDWS", 7, [], b"", [], [], b""))
open(d + "/seed-nochecksum", "wb").write(b"\x00" + state(b"LDBK", 1, [], b"", [], [], b"") + b"\0" * 8)
PY

# option parsers: byte 0 picks the parser (split_spec), then the text.
put split_spec ratios '\x00train=0.8,val=0.1,test=0.1'
put split_spec cutoffs '\x01train,val,test\n2024-01-01,1717200000'
put split_spec balance_splits '\x02a=0.25,b=0.75\nb,a'
put split_spec balance '\x03ratio:1.5'
put split_spec cap '\x03cap:10'
put fractions basic 'ERROR=1,WARN=0.2,*=0.01\nERROR\nINFO\nWARN'
put fractions eq 'a=b=0.5,=1\na=b'
put sizes k '64K'
put sizes mib '1MiB'
put sizes plain '18446744073709551615'
