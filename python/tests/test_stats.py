"""ladle.stats: `ladle stats --json` as a dict."""
import json

import pytest

import ladle
from conftest import run_cli


def _no_time(d):
    d = dict(d)
    d.pop("seconds")
    return d


def test_stats_equals_cli(data, cli):
    got = ladle.stats(data["small"], field=["level", "latency_ms"], top=3)
    want = json.loads(run_cli(cli, "stats", "--json", "-f", "level", "-f", "latency_ms",
                              "-k", "3", data["small"]))
    assert _no_time(got) == _no_time(want)
    assert got["records"] == 3000 and [f["field"] for f in got["fields"]] == ["level", "latency_ms"]
    assert got["fields"][1]["numeric"]["count"] == 3000


def test_stats_without_field(data):
    got = ladle.stats(data["small"])
    assert got["records"] == 3000 and got["fields"] == []


def test_stats_errors(tmp_path):
    with pytest.raises(ladle.LadleError) as e:
        ladle.stats(str(tmp_path / "none"))
    assert e.value.status == 3
