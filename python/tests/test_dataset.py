"""ladle.split and ladle.Dataset: the CLI's dataset byte for byte, the
records of each split, workers that partition the shards, damaged shards
refused, ladle.verify."""
import json
import os
import shutil

import pytest

import ladle
from conftest import run_cli, zstd_records

RATIOS = "train=0.8,val=0.1,test=0.1"


@pytest.fixture(scope="module")
def datasets(data, cli, tmp_path_factory):
    d = tmp_path_factory.mktemp("ds")
    py, sh = str(d / "py"), str(d / "cli")
    manifest = ladle.split(data["big"], py, ratios=RATIOS, by="user", shard_records=3000,
                           seed=4)
    run_cli(cli, "split", "-o", sh, "--ratios", RATIOS, "--by", "user", "--shard-records",
            "3000", "--seed", "4", data["big"])
    return py, sh, manifest


def test_split_equals_cli(datasets):
    py, sh, manifest = datasets
    assert manifest["report"]["records_in"] == 40000
    assert manifest["command"][:4] == ["ladle", "split", "-o", py]
    files = [s["file"] for sp in manifest["splits"] for s in sp["shards"]]
    assert len(files) > 3
    for f in files:
        with open(os.path.join(py, f), "rb") as a, open(os.path.join(sh, f), "rb") as b:
            assert a.read() == b.read(), f


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_dataset_records_are_the_shards(datasets, split):
    py, sh, manifest = datasets
    ds = ladle.Dataset(py, split=split)
    want = [r for s in ds.shards for r in zstd_records(os.path.join(sh, s["file"]))]
    got = list(ds)
    assert got == want and len(ds) == len(got) > 0
    assert all(r.endswith(b"\n") for r in got)


def test_workers_partition_the_shards(datasets):
    py = datasets[0]
    whole = ladle.Dataset(py, "train")
    parts = [ladle.Dataset(py, "train", worker=i, workers=3) for i in range(3)]
    files = [[s["file"] for s in p.shards] for p in parts]
    assert sorted(sum(files, [])) == sorted(s["file"] for s in whole.shards)
    assert all(files) and sum(len(p) for p in parts) == len(whole)
    assert sorted(r for p in parts for r in p) == sorted(whole)
    with pytest.raises(ladle.LadleError):
        ladle.Dataset(py, "train", worker=3, workers=3)
    with pytest.raises(ladle.LadleError) as e:
        ladle.Dataset(py, "nosuch")
    assert e.value.status == 2


def _copy(datasets, tmp_path):
    dst = str(tmp_path / "copy")
    shutil.copytree(datasets[0], dst)
    return dst


def test_corrupt_shard_raises(datasets, tmp_path):
    dst = _copy(datasets, tmp_path)
    ds = ladle.Dataset(dst, "train")
    path = os.path.join(dst, ds.shards[1]["file"])
    with open(path, "r+b") as f:
        f.seek(os.path.getsize(path) // 2)
        b = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([b[0] ^ 0x40]))
    with pytest.raises(ladle.LadleError) as e:
        list(ds)
    assert e.value.status == 3 and ds.shards[1]["file"] in e.value.message
    with pytest.raises(ladle.LadleError) as e:
        ladle.verify(dst)
    assert e.value.status == 3 and e.value.problems
    # verify=False reads without the checks (and zstd may still refuse it)
    assert len(list(ladle.Dataset(dst, "val", verify=False))) == len(ladle.Dataset(dst, "val"))


def test_truncated_shard_raises_on_open(datasets, tmp_path):
    dst = _copy(datasets, tmp_path)
    ds = ladle.Dataset(dst, "train")
    path = os.path.join(dst, ds.shards[0]["file"])
    os.truncate(path, os.path.getsize(path) - 10)
    it = iter(ds)
    with pytest.raises(ladle.LadleError) as e:
        next(it)
    assert "manifest says" in e.value.message


def test_sha256_checked_on_open_when_the_manifest_has_it(datasets, tmp_path):
    import hashlib
    import json
    dst = _copy(datasets, tmp_path)
    mpath = os.path.join(dst, "manifest.json")
    with open(mpath) as f:
        m = json.load(f)
    shard = m["splits"][0]["shards"][0]
    with open(os.path.join(dst, shard["file"]), "rb") as f:
        good = hashlib.sha256(f.read()).hexdigest()
    shard["sha256"] = good if shard.get("sha256", good) == good else shard["sha256"]
    assert shard["sha256"] == good  # helper C's sha256 is the file's
    m["splits"][0]["shards"][1]["sha256"] = "0" * 64
    with open(mpath, "w") as f:
        json.dump(m, f)
    it = iter(ladle.Dataset(dst, "train"))
    for _ in range(shard["records"]):
        next(it)
    with pytest.raises(ladle.LadleError) as e:
        next(it)  # the second shard's first record: refused on open
    assert "SHA-256" in e.value.message


def test_verify(datasets):
    rep = ladle.verify(datasets[0])
    assert rep["records"] == 40000 and rep["splits"] == 3 and "OK" in rep["summary"]


def test_multi_frame_shards_and_header(cli, tmp_path):
    """Shards of several zstd frames (and the seek table's skippable frame),
    and a TSV dataset whose shards start with the header."""
    src = tmp_path / "t.tsv"
    with open(src, "w") as f:
        f.write("id\tpad\n")
        for i in range(50000):
            f.write("%d\t%s\n" % (i, "x" * (i % 300)))
    out = str(tmp_path / "tsv")
    m = ladle.split(str(src), out, ratios="a=0.5,b=0.5", header=True, format="tsv")
    assert max(s["frames"] for sp in m["splits"] for s in sp["shards"]) > 1
    ids = []
    for name in ("a", "b"):
        ds = ladle.Dataset(out, name)
        recs = list(ds)
        assert ds.header == b"id\tpad\n" and len(recs) == len(ds)
        ids += [int(r.split(b"\t")[0]) for r in recs]
    assert sorted(ids) == list(range(50000))


def test_split_errors(data, tmp_path):
    with pytest.raises(ladle.LadleError) as e:
        ladle.split(data["small"], str(tmp_path / "x"))
    assert e.value.status == 2
    out = str(tmp_path / "y")
    ladle.split(data["small"], out, ratios="a=1")
    with pytest.raises(ladle.LadleError) as e:  # not empty, no force
        ladle.split(data["small"], out, ratios="a=1")
    assert e.value.status in (2, 4) and out in e.value.message
    ladle.split(data["small"], out, ratios="a=1", force=True)


def test_license_goes_to_the_manifest_and_cards(data, tmp_path):
    import json
    out = str(tmp_path / "lic")
    m = ladle.split(data["small"], out, ratios="a=1", license="cc-by-4.0")
    assert m["license"] == "cc-by-4.0" and m["command"][-3:-1] == ["--license", "cc-by-4.0"]
    with open(os.path.join(out, "croissant.json")) as f:
        assert json.load(f)["license"] == "cc-by-4.0"
    assert ladle.verify(out)["records"] == 3000


def test_csv_records_with_quoted_line_ends(tmp_path, cli):
    """A csv record holding a quoted line end is one record, as the manifest counts it."""
    src = tmp_path / "q.csv"
    rows = ['id,text\n'] + ['%d,"line\nbreak %d"\n' % (i, i) for i in range(20)]
    src.write_text("".join(rows))
    out = tmp_path / "dq"
    run_cli(cli, "split", "--ratios", "a=0.5,b=0.5", "-H", "--seed", "1", "-o", str(out), str(src))
    got = []
    for split in ("a", "b"):
        ds = ladle.Dataset(str(out), split=split)
        recs = list(ds)
        assert len(recs) == len(ds)
        got += recs
    assert sorted(got) == sorted(r.encode() for r in rows[1:])


def test_shard_outside_the_folder_is_refused(tmp_path, cli):
    out = tmp_path / "ds"
    src = tmp_path / "x.jsonl"
    src.write_text("".join('{"i":%d}\n' % i for i in range(10)))
    run_cli(cli, "split", "--ratios", "a=0.5,b=0.5", "--seed", "1", "-o", str(out), str(src))
    m = json.loads((out / "manifest.json").read_text())
    m["splits"][0]["shards"][0]["file"] = "../x.jsonl"
    (out / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ladle.LadleError) as e:
        list(ladle.Dataset(str(out), split="a", verify=False))
    assert "not a path inside the dataset" in e.value.message
