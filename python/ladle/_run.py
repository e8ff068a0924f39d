"""ladle.split, ladle.stats and ladle.verify: whole runs of the library
(no record sink), their results read back as Python values."""
import ctypes
import json
import os
import tempfile
import threading
import time
import warnings

from . import _job, _lib
from ._errors import LadleError

lib = _lib.lib


class LadleWarning(UserWarning):
    """A dataset's warning line (ladle_job_split_notes)."""


def _run(job, fd):
    """ladle_job_run on a thread, the caller waiting with a timeout so that
    Ctrl-C (KeyboardInterrupt) reaches it and cancels the job: (status,
    report)."""
    rep = _lib.Report()
    out = []
    done = threading.Event()

    def run():
        try:
            out.append(lib.ladle_job_run(job.ptr, fd, ctypes.byref(rep)))
        finally:
            done.set()

    threading.Thread(target=run, name="ladle.run", daemon=True).start()
    _job.wait(done, job)
    return out[0], rep.as_dict()


def _run_to_file(job):
    """Runs job with its output to a temporary file: (report, bytes written)."""
    with tempfile.TemporaryFile() as f:
        status, rep = _run(job, f.fileno())
        job.check(status)
        f.seek(0)
        return rep, f.read()


def split(paths, out_dir, ratios=None, **options):
    """`ladle split -o out_dir --ratios RATIOS PATHS`: a dataset of zstd
    shards and manifest.json in out_dir. Keywords as the command's options
    with - written _ (by, time_field, cutoffs, stratify, balance,
    balance_mode, shard_size, shard_records, level, force, seed, append, a
    design such as rate=, ...). Returns the manifest (a dict) with the
    run's "report" added; the dataset's warnings as LadleWarning."""
    if ratios is None and not options.get("append"):
        raise _job.usage("split needs ratios (e.g. 'train=0.8,val=0.1,test=0.1')")
    options = dict(ratios=ratios, **options)
    job, argv = _job.build(_job.SPLIT_OPTIONS, options, True, "split")
    try:
        out = os.fsencode(out_dir)
        job.check(lib.ladle_job_set_string(job.ptr, _lib.S["OUTPUT_DIR"], out))
        argv[2:2] = ["-o", os.fsdecode(out)]
        argv += job.inputs(paths)
        cargv = (ctypes.c_char_p * len(argv))(*[os.fsencode(a) for a in argv])
        job.check(lib.ladle_job_set_command(job.ptr, len(argv), cargv))
        status, rep = _run(job, -1)
        notes = (lib.ladle_job_split_notes(job.ptr) or b"").decode(errors="replace")
        for line in notes.splitlines():
            warnings.warn(line, LadleWarning, stacklevel=2)
        job.check(status)
    finally:
        job.free()
    with open(os.path.join(os.fsdecode(out_dir), "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    manifest["report"] = rep
    return manifest


STATS_OPTIONS = {k: _job.SAMPLE_OPTIONS[k] for k in (
    "format", "delimiter", "header", "missing", "malformed", "state", "part", "source_name",
    "source_stem", "source_prefix", "threads", "chunk_size", "max_record", "long", "io",
    "drop_cache")}
STATS_OPTIONS["top"] = ("--top", "count", _lib.P["TOP"])


def stats(paths, field=None, **options):
    """`ladle stats --json`: the records, bytes and (with field, a field or
    a list of up to 16) each field's distinct values, most frequent values
    and numeric summary, as a dict (ladle(1) lists its keys). Keywords:
    top=K, format, header, delimiter, missing, threads, state, part, ..."""
    options = {k: v for k, v in options.items() if not (k == "threads" and v == 0)}
    fields = [] if field is None else [field] if isinstance(field, str) else list(field)
    job = _job.Job()
    try:
        job.design("stats")
        job.apply(STATS_OPTIONS, options)
        job.check(lib.ladle_job_set(job.ptr, _lib.P["STATS_OUTPUT"], 1))
        if fields:
            job.check(lib.ladle_job_set_string(job.ptr, _lib.S["FIELD"], fields[0].encode()))
        for f in fields[1:]:
            job.check(lib.ladle_job_add_field(job.ptr, f.encode()))
        job.inputs(paths)
        t0 = time.monotonic()
        rep, out = _run_to_file(job)
        seconds = time.monotonic() - t0
    finally:
        job.free()
    # The library writes the fields' objects; the totals around them are
    # the caller's, as `ladle stats --json` prints them.
    text = ('{"records":%d,"bytes":%d,"bytes_read":%d,"seconds":%.6f,"fields":[\n%s\n]}'
            % (rep["records_in"], rep["bytes_in"], rep["bytes_compressed"], seconds,
               out.decode("utf-8", errors="surrogateescape")))
    return json.loads(text)


libc = ctypes.CDLL(None, use_errno=True)
libc.fdopen.restype = ctypes.c_void_p
libc.fdopen.argtypes = [ctypes.c_int, ctypes.c_char_p]
libc.fclose.argtypes = [ctypes.c_void_p]


def verify(path):
    """`ladle verify DIR`: checks a dataset against its manifest, byte for
    byte. Returns a dict (splits, shards, records, bytes, compressed and
    summary, the OK line); raises LadleError (status 3) with the first
    problem, every problem's line in .problems."""
    rep = _lib.VerifyReport()
    with tempfile.TemporaryFile() as prob, tempfile.TemporaryFile() as summ:
        files = []
        for f in (prob, summ):
            fd = os.dup(f.fileno())
            fp = libc.fdopen(fd, b"w")
            if not fp:
                os.close(fd)  # fdopen failed: the copy is still ours to close
            files.append(fp)
        try:
            if not all(files):
                raise MemoryError("ladle: fdopen failed")
            status = lib.ladle_verify(os.fsencode(path), files[0], files[1], ctypes.byref(rep))
        finally:
            for fp in files:
                if fp:
                    libc.fclose(fp)
        prob.seek(0)
        summ.seek(0)
        problems = prob.read().decode(errors="replace").splitlines()
        summary = summ.read().decode(errors="replace").strip()
    if status != _lib.OK:
        first = rep.error.decode(errors="replace") or (problems[0] if problems else "")
        err = LadleError(first, status)
        err.problems = problems
        raise err
    out = {k: getattr(rep, k) for k in ("splits", "shards", "records", "bytes", "compressed")}
    out["summary"] = summary
    return out
