"""Fixtures: the inputs the tests share, and the CLI ($LADLE) the package
is compared with (tests that need it skip without it)."""
import json
import os
import random
import shutil
import subprocess

import pytest

SRC = os.environ.get("LADLE_SRC") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def write_log(path, records, seed):
    """JSON lines with a user (for --by), a level (for strata) and a
    latency (a number): a fixed seed, so the same file every run."""
    rnd = random.Random(seed)
    levels = ["INFO"] * 90 + ["DEBUG"] * 6 + ["WARN"] * 3 + ["ERROR"]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(records):
            rec = {"ts": "2026-11-01T00:%02d:%02d.%03dZ" % (i // 60000 % 60, i // 1000 % 60, i % 1000),
                   "level": rnd.choice(levels), "user": "u%d" % rnd.randrange(400),
                   "latency_ms": round(rnd.expovariate(0.05), 3), "msg": "request %d" % i}
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")
    return str(path)


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    return {"small": write_log(d / "small.jsonl", 3000, 1),
            "big": write_log(d / "big.jsonl", 40000, 2)}


@pytest.fixture(scope="session")
def cli():
    exe = os.environ.get("LADLE") or shutil.which("ladle")
    if not exe:
        pytest.skip("no ladle CLI ($LADLE) to compare with")
    return exe


def run_cli(cli, *args):
    """The CLI's stdout (bytes); a non-zero exit fails the test."""
    return subprocess.run([cli, *args], check=True, stdout=subprocess.PIPE).stdout


def zstd_records(path):
    """A shard's lines, decompressed by the zstd tool when there is one."""
    import zstandard
    with open(path, "rb") as f:
        data = zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True).read()
    return data.splitlines(keepends=True)
