"""ladle.sample: the CLI's sample byte for byte, streaming, early close,
interrupts, weights and errors."""
import _thread
import gc
import math
import os
import threading
import time

import pytest

import ladle
from conftest import run_cli


@pytest.mark.parametrize("kw,args", [
    ({"rate": 0.1, "seed": 3}, ["--rate", "0.1", "--seed", "3"]),
    ({"n": 50, "seed": 7}, ["-n", "50", "--seed", "7"]),
    ({"n": 50, "seed": 7, "shuffle": True}, ["-n", "50", "--seed", "7", "--shuffle"]),
    ({"rate": 0.2, "shuffle": True, "threads": 1}, ["--rate", "0.2", "--shuffle", "-t", "1"]),
    ({"head": 10}, ["--head", "10"]),
    ({"every": 100, "seed": 5}, ["--every", "100", "--seed", "5"]),
    ({"strata": "level", "n": 40, "seed": 2}, ["--strata", "level", "-n", "40", "--seed", "2"]),
    ({"weight": "latency_ms", "n": 30}, ["--weight", "latency_ms", "-n", "30"]),
    ({"cluster": "user", "rate": 0.05}, ["--cluster", "user", "--rate", "0.05"]),
    ({"n": 500, "replace": True, "seed": 4}, ["-n", "500", "--replace", "--seed", "4"]),
    ({"rate": 0.1, "bootstrap": 3}, ["--rate", "0.1", "--bootstrap", "3"]),
    ({"shuffle": True, "memory": "64K"}, ["--shuffle", "--memory", "64K"]),
])
def test_sample_equals_cli(data, cli, kw, args):
    for threads in (1, 2):
        got = b"".join(ladle.sample(data["small"], **dict(kw, threads=threads)))
        assert got == run_cli(cli, "sample", *args, data["small"]), (kw, threads)


def test_command_line(data, cli):
    s = ladle.sample([data["small"]], rate=0.05, seed=9, chunk_size="64K")
    assert s.command == ["ladle", "sample", "--rate", "0.05", "--seed", "9",
                         "--chunk-size", "65536", data["small"]]
    assert b"".join(s) == run_cli(cli, *s.command[1:])
    assert s.report["records_in"] == 3000 and s.report["records_out"] > 0


def test_weights(data):
    recs = list(ladle.sample(data["small"], rate=0.25, with_weight=True))
    assert recs and all(w == 4.0 for _, w in recs)
    recs = list(ladle.sample(data["small"], n=5, with_weight=True))
    assert len(recs) == 5 and all(math.isnan(w) for _, w in recs)


def test_strata_weights_match_cli_column(data, cli):
    import json
    recs = list(ladle.sample(data["small"], strata="level", n=40, with_weight=True))
    col = run_cli(cli, "sample", "--strata", "level", "-n", "40", "--emit-weight",
                  data["small"]).splitlines()
    assert len(recs) == len(col) == 40
    for (rec, w), line in zip(recs, col):
        shown = json.loads(line)
        assert shown.pop("_weight") == pytest.approx(w, rel=1e-9)
        assert json.loads(rec) == shown


def _ladle_threads():
    """The job threads still alive, given a moment to leave after their run."""
    deadline = time.monotonic() + 5
    while True:
        alive = [t for t in threading.enumerate() if t.name == "ladle.sample" and t.is_alive()]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.01)


def test_early_close_stops_the_job(data):
    s = ladle.sample(data["big"], rate=1.0, threads=1)
    first = [next(s) for _ in range(3)]
    assert len(first) == 3
    t0 = time.monotonic()
    s.close()
    assert time.monotonic() - t0 < 5
    assert not _ladle_threads()
    assert s.report["records_out"] < 40000  # it stopped before the end
    with pytest.raises(StopIteration):
        next(s)
    with ladle.sample(data["big"], rate=1.0) as s2:
        next(s2)
    assert not _ladle_threads()


def test_dropped_iterator_stops_the_job(data):
    s = ladle.sample(data["big"], rate=1.0)
    next(s)
    del s
    gc.collect()
    assert not _ladle_threads()


def test_keyboard_interrupt_cancels(tmp_path):
    """Ctrl-C while the job gathers (-n emits at the end) cancels it: the
    input is a FIFO fed slowly that would never end by itself."""
    fifo = str(tmp_path / "feed")
    os.mkfifo(fifo)
    stop = threading.Event()

    def feed():
        try:
            with open(fifo, "wb", buffering=0) as f:
                i = 0
                while not stop.is_set():
                    f.write(b'{"i":%d}\n' % i)
                    i += 1
                    time.sleep(0.002)
        except (BrokenPipeError, OSError):
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    timer = threading.Timer(0.5, _thread.interrupt_main)
    s = ladle.sample(fifo, n=5)
    t0 = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        next(s)
    assert time.monotonic() - t0 < 10
    assert not _ladle_threads()
    stop.set()
    writer.join(5)


def test_missing_file_is_an_input_error(data, tmp_path):
    missing = str(tmp_path / "nope.jsonl")
    with pytest.raises(ladle.LadleError) as e:
        list(ladle.sample([data["small"], missing], rate=0.5))
    assert e.value.status == 3 and e.value.status_name == "LADLE_E_INPUT"
    assert e.value.message == missing + ": cannot open: No such file or directory"


@pytest.mark.parametrize("kw", [
    {"rate": 1.5}, {"rate": 0.1, "n": 3}, {}, {"weight": "x"}, {"strata": "level"},
    {"missing": "maybe", "rate": 0.1}, {"format": "xml", "rate": 0.1},
])
def test_usage_errors_raise_at_once(data, kw):
    with pytest.raises(ladle.LadleError) as e:
        ladle.sample(data["small"], **kw)
    assert e.value.status == 2 and e.value.message


def test_record_too_long(tmp_path):
    p = tmp_path / "long.txt"
    p.write_bytes(b"a" * 5000 + b"\n")
    with pytest.raises(ladle.LadleError) as e:
        list(ladle.sample(str(p), rate=1.0, max_record=1024, format="lines"))
    assert e.value.status == 3 and str(p) in e.value.message


def test_exit_with_a_sample_open(data):
    """A script that leaves a sample half read (a job still running) exits
    at once and cleanly: atexit stops the job."""
    import subprocess
    import sys
    script = ("import ladle\ns = ladle.sample(%r, rate=1.0, threads=1)\nnext(s)\n"
              "t = ladle.sample(%r, n=3)\nprint('ok')\n" % (data["big"], data["big"]))
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-c", script], stdout=subprocess.PIPE, timeout=60)
    assert r.returncode == 0 and r.stdout == b"ok\n" and time.monotonic() - t0 < 30


def test_records_are_binary_safe(tmp_path, cli):
    p = tmp_path / "bin.txt"
    p.write_bytes(b"a\0b\n\n\xff\xfe\r\nlast")
    got = list(ladle.sample(str(p), rate=1.0, format="lines"))
    assert got == [b"a\0b\n", b"\n", b"\xff\xfe\r\n", b"last\n"]
    assert b"".join(got) == run_cli(cli, "sample", "--rate", "1", "--format", "lines", str(p))


def test_shuffle_equals_cli(data, cli, tmp_path):
    """ladle.shuffle spills (a 64K buffer) and prints what `ladle shuffle` prints."""
    got = b"".join(ladle.shuffle(data["small"], seed=3, memory="64K", tmpdir=str(tmp_path)))
    assert got == run_cli(cli, "shuffle", "--seed", "3", data["small"])
    assert sorted(got.splitlines()) == sorted(open(data["small"], "rb").read().splitlines())
    assert os.listdir(tmp_path) == []
