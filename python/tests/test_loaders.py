"""The issue's "Done when": a dataset loads through the package, through
pandas, and through plain json + zstandard reading README.md's data_files
globs and croissant.json's FileSets, and all find the records the manifest
says."""
import glob
import hashlib
import json
import os

import pytest

import ladle

RATIOS = "train=0.8,val=0.1,test=0.1"


@pytest.fixture(scope="module")
def dataset(data, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("loaders") / "ds")
    # several frames per shard: the seek table's skippable frame comes last
    ladle.split(data["big"], out, ratios=RATIOS, by="user", shard_size="2M", seed=1)
    with open(os.path.join(out, "manifest.json")) as f:
        return out, json.load(f)


def _card_files(out):
    for name in ("README.md", "croissant.json"):
        if not os.path.exists(os.path.join(out, name)):
            pytest.skip("this build writes no %s (dataset cards)" % name)


def readme_data_files(out):
    """README.md's YAML header: {split: glob}. Read with PyYAML when it is
    there, else by the lines of the form ladle writes (a check of both)."""
    with open(os.path.join(out, "README.md"), encoding="utf-8") as f:
        text = f.read()
    assert text.startswith("---\n")
    header = text[4:text.index("\n---\n", 4)]
    found, split = {}, None
    for line in header.splitlines():
        s = line.strip()
        if s.startswith("- split:"):
            split = json.loads(s.split(":", 1)[1].strip())
        elif s.startswith("path:") and split is not None:
            found[split] = json.loads(s.split(":", 1)[1].strip())
    try:
        import yaml
    except ImportError:
        return found
    cfg = yaml.safe_load(header)["configs"][0]["data_files"]
    assert {d["split"]: d["path"] for d in cfg} == found
    return found


def croissant_file_sets(out):
    """croissant.json: {FileSet name: includes glob}, and the sha256 of
    every FileObject checked against the file."""
    with open(os.path.join(out, "croissant.json"), encoding="utf-8") as f:
        cr = json.load(f)
    assert cr["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    sets = {}
    for d in cr["distribution"]:
        if d["@type"] == "cr:FileSet":
            sets[d["name"]] = d["includes"]
        elif d["@type"] == "cr:FileObject":
            with open(os.path.join(out, d["contentUrl"]), "rb") as f:
                assert hashlib.sha256(f.read()).hexdigest() == d["sha256"]
    return sets


def plain_records(out, pattern):
    import zstandard
    recs = []
    for path in sorted(glob.glob(os.path.join(out, pattern))):
        with open(path, "rb") as f:
            data = zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True).read()
        recs += [json.loads(line) for line in data.splitlines()]
    return recs


def test_every_loader_finds_the_manifests_records(dataset):
    out, manifest = dataset
    _card_files(out)
    globs, sets = readme_data_files(out), croissant_file_sets(out)
    names = [s["name"] for s in manifest["splits"]]
    assert list(globs) == names and sorted(sets) == sorted(names)
    total = 0
    for sp in manifest["splits"]:
        name = sp["name"]
        shards = [os.path.join(out, s["file"]) for s in sp["shards"]]
        assert sorted(glob.glob(os.path.join(out, globs[name]))) == sorted(shards)
        assert sorted(glob.glob(os.path.join(out, sets[name]))) == sorted(shards)
        package = [json.loads(r) for r in ladle.Dataset(out, name)]
        plain = plain_records(out, globs[name])
        assert len(package) == sp["records"] == len(plain)
        assert sorted(map(json.dumps, package)) == sorted(map(json.dumps, plain))
        assert plain_records(out, sets[name]) == plain
        total += len(package)
    assert total == sum(i["records"] for i in manifest["inputs"]) == 40000


def test_pandas_reads_a_shard(dataset):
    pd = pytest.importorskip("pandas")
    out, manifest = dataset
    train = manifest["splits"][0]
    assert max(s["frames"] for s in train["shards"]) >= 1
    frames = [pd.read_json(os.path.join(out, s["file"]), lines=True, compression="zstd")
              for s in train["shards"]]
    df = pd.concat(frames, ignore_index=True)
    assert len(df) == train["records"]
    package = [json.loads(r) for r in ladle.Dataset(out, "train")]
    assert list(df["msg"]) == [r["msg"] for r in package]
    assert list(df["user"]) == [r["user"] for r in package]
