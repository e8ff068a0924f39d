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


def test_keyboard_interrupt_cancels_a_run(tmp_path):
    """Ctrl-C during ladle.stats (a synchronous run) cancels the job: the
    input is a FIFO fed slowly that would never end by itself."""
    import _thread
    import os
    import threading
    import time
    fifo = str(tmp_path / "feed")
    os.mkfifo(fifo)
    stop = threading.Event()

    def feed():
        try:
            with open(fifo, "wb", buffering=0) as f:
                while not stop.is_set():
                    f.write(b'{"a":1}\n')
                    time.sleep(0.002)
        except OSError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    threading.Timer(0.5, _thread.interrupt_main).start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ladle.stats(fifo, field="a")
    assert time.monotonic() - t0 < 10
    assert not [t for t in threading.enumerate() if t.name == "ladle.run" and t.is_alive()]
    stop.set()
    writer.join(5)
