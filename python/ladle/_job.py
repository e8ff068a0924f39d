"""A ladle_job built from keyword arguments, the way the CLI builds one
from its options: one table (keyword, flag, kind, parameter), the design
chosen from the combination, and the equivalent command line (which a
dataset's manifest records)."""
import os
import re
import sys

from . import _lib
from ._errors import LadleError

lib = _lib.lib

MISSING = ("skip", "error", "keep")
MALFORMED = ("error", "skip")
IO = ("auto", "uring", "pread")
STEM = ("name", "path")

# keyword: (CLI flag, kind, parameter). Kinds: prob (ladle_job_set_double),
# count and size (ladle_job_set), flag (1 when true), str
# (ladle_job_set_string), a tuple of names (ladle_job_set with the index).
SAMPLE_OPTIONS = {
    "rate": ("--rate", "prob", _lib.D["RATE"]),
    "n": ("-n", "count", _lib.P["N"]),
    "head": ("--head", "count", _lib.P["N"]),
    "every": ("--every", "count", _lib.P["EVERY"]),
    "start": ("--start", "count", _lib.P["START"]),
    "shuffle": ("--shuffle", "flag", _lib.P["SHUFFLE"]),
    "header": ("--header", "flag", _lib.P["HEADER"]),
    "format": ("--format", "str", _lib.S["FORMAT"]),
    "delimiter": ("--delimiter", "str", _lib.S["DELIM"]),
    "missing": ("--missing", MISSING, _lib.P["MISSING"]),
    "malformed": ("--malformed", MALFORMED, _lib.P["MALFORMED"]),
    "cluster": ("--cluster", "str", _lib.S["FIELD"]),
    "within_rate": ("--within-rate", "prob", _lib.D["WITHIN_RATE"]),
    "strata": ("--strata", "str", _lib.S["FIELD"]),
    "fractions": ("--fractions", "str", _lib.S["FRACTIONS"]),
    "weight": ("--weight", "str", _lib.S["FIELD"]),
    "per_stratum": ("--per-stratum", "count", _lib.P["PER_STRATUM"]),
    "min_per_stratum": ("--min-per-stratum", "count", _lib.P["MIN_PER_STRATUM"]),
    "clusters": ("--clusters", "count", _lib.P["CLUSTERS"]),
    "within_size": ("--within-size", "count", _lib.P["WITHIN_SIZE"]),
    "seeds": ("--seeds", "str", _lib.S["SEEDS"]),
    "link": ("--link", "str", _lib.S["LINK"]),
    "waves": ("--waves", "count", _lib.P["WAVES"]),
    "max_nodes": ("--max-nodes", "count", _lib.P["MAX_NODES"]),
    "seed": ("--seed", "count", _lib.P["SEED"]),
    "state": ("--state", "str", _lib.S["STATE"]),
    "part": ("--part", "str", _lib.S["PART"]),
    "source_name": ("--source-name", "str", _lib.S["SOURCE_NAME"]),
    "source_stem": ("--source-stem", STEM, _lib.P["SOURCE_STEM"]),
    "source_prefix": ("--source-prefix", "str", _lib.S["SOURCE_PREFIX"]),
    "threads": ("--threads", "count", _lib.P["THREADS"]),
    "chunk_size": ("--chunk-size", "size", _lib.P["CHUNK_SIZE"]),
    "max_record": ("--max-record", "size", _lib.P["MAX_RECORD"]),
    "long": ("--long", "flag", _lib.P["ZSTD_LONG"]),
    "io": ("--io", IO, _lib.P["IO_MODE"]),
    "drop_cache": ("--drop-cache", "flag", _lib.P["DROP_CACHE"]),
    "replace": ("--replace", "flag", _lib.P["REPLACE"]),
    "bootstrap": ("--bootstrap", "count", _lib.P["BOOTSTRAP"]),
    "memory": ("--memory", "size", _lib.P["MEMORY"]),
    "tmpdir": ("--tmpdir", "str", _lib.S["TMPDIR"]),
}

SPLIT_OPTIONS = dict(SAMPLE_OPTIONS)
SPLIT_OPTIONS.update({
    "ratios": ("--ratios", "str", _lib.S["RATIOS"]),
    "by": ("--by", "str", _lib.S["BY"]),
    "time_field": ("--time-field", "str", _lib.S["TIME_FIELD"]),
    "cutoffs": ("--cutoffs", "str", _lib.S["CUTOFFS"]),
    "time_format": ("--time-format", "str", _lib.S["TIME_FORMAT"]),
    "tz": ("--tz", "str", _lib.S["TZ"]),
    "stratify": ("--stratify", "str", _lib.S["STRATIFY"]),
    "balance": ("--balance", "str", _lib.S["BALANCE"]),
    "balance_mode": ("--balance-mode", "str", _lib.S["BALANCE_MODE"]),
    "balance_splits": ("--balance-splits", "str", _lib.S["BALANCE_SPLITS"]),
    "shard_size": ("--shard-size", "size", _lib.P["SHARD_SIZE"]),
    "shard_records": ("--shard-records", "count", _lib.P["SHARD_RECORDS"]),
    "level": ("--level", "count", _lib.P["LEVEL"]),
    "force": ("--force", "flag", _lib.P["FORCE"]),
    "allow_empty": ("--allow-empty", "flag", _lib.P["ALLOW_EMPTY"]),
    "append": ("--append", "flag", _lib.P["APPEND"]),
    "license": ("--license", "str", _lib.S["LICENSE"]),
})

_PLAIN = {"rate": "bernoulli", "n": "bottomk", "head": "head", "every": "systematic"}
_SIZE = re.compile(r"^([0-9]+)([kKmMgG]?)$")


def usage(msg):
    return LadleError(msg, _lib.E_USAGE)


def _size(key, v):
    m = _SIZE.match(str(v))
    if not m:
        raise usage("%s: %r is not a size (e.g. 512K, 2M)" % (key, v))
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2).lower()]


def choose_design(kw, splitting):
    """The design the keywords choose (None: a split of every record), or
    LadleError(usage) for a combination the CLI refuses too."""
    plain = [k for k in _PLAIN if kw.get(k) is not None]
    fields = [k for k in ("cluster", "strata", "weight") if kw.get(k) is not None]
    has = lambda k: kw.get(k) is not None  # noqa: E731
    if len(fields) > 1:
        raise usage("%s and %s: one field design at a time" % tuple(fields[:2]))
    field = fields[0] if fields else None
    if has("link") or has("seeds"):
        if plain or field:
            raise usage("link/seeds (snowball) is a design of its own (not with %s)"
                        % (plain + fields)[0])
        return "snowball"
    if field == "cluster":
        if has("rate") == has("clusters") or (has("clusters") and plain):
            raise usage("cluster takes one of rate=P or clusters=M")
        return "cluster"
    if field == "strata":
        if has("fractions") + has("per_stratum") + has("n") != 1 or len(plain) > has("n"):
            raise usage("strata takes one of n=N, per_stratum=N or fractions=SPEC")
        return "fractions" if has("fractions") else "stratified"
    if field == "weight" and (plain != ["n"]):
        raise usage("weight needs n=N (the sample size)")
    if field == "weight":
        return "weighted"
    for k, goes in (("clusters", "cluster"), ("within_rate", "cluster"),
                    ("within_size", "cluster"), ("per_stratum", "strata"),
                    ("min_per_stratum", "strata"), ("fractions", "strata")):
        if has(k):
            raise usage("%s goes with %s=FIELD" % (k, goes))
    if len(plain) > 1:
        raise usage("choose one design, not several (%s)" % ", ".join(plain))
    if not plain:
        if splitting:
            return None
        raise usage("choose a design: rate=P, n=N, head=N, every=K, or a field design")
    return _PLAIN[plain[0]]


class Job:
    """A ladle_job; raise_for(status) turns its error into a LadleError."""

    def __init__(self):
        self.ptr = lib.ladle_job_new()
        if not self.ptr:
            raise MemoryError("ladle: out of memory")

    def error(self):
        return (lib.ladle_job_error(self.ptr) or b"").decode(errors="replace")

    def check(self, status):
        if status != _lib.OK:
            raise LadleError(self.error(), status)

    def free(self):
        if self.ptr:
            lib.ladle_job_free(self.ptr)
            self.ptr = None

    def __del__(self):
        self.free()

    def apply(self, table, kw):
        """Sets every keyword given; the CLI arguments that do the same."""
        argv = []
        for key, value in kw.items():
            if value is None or value is False:
                continue
            if key not in table:
                raise TypeError("unexpected keyword argument %r" % key)
            flag, kind, param = table[key]
            if kind == "flag":
                self.check(lib.ladle_job_set(self.ptr, param, 1))
                argv.append(flag)
                continue
            if kind == "prob":
                self.check(lib.ladle_job_set_double(self.ptr, param, float(value)))
                text = repr(float(value))
            elif kind == "str":
                self.check(lib.ladle_job_set_string(self.ptr, param, os.fsencode(str(value))))
                text = str(value)
            elif isinstance(kind, tuple):
                if value not in kind:
                    raise usage("%s: %r is not %s" % (key, value, " or ".join(kind)))
                self.check(lib.ladle_job_set(self.ptr, param, kind.index(value)))
                text = value
            else:
                v = _size(key, value) if kind == "size" else int(value)
                if v < 0 or v >= 1 << 64:
                    raise usage("%s: %r is not a count" % (key, value))
                self.check(lib.ladle_job_set(self.ptr, param, v - (1 << 64) if v >= 1 << 63 else v))
                text = str(v)
            argv += [flag, text]
        return argv

    def design(self, name):
        if name:
            self.check(lib.ladle_job_set_design(self.ptr, name.encode()))

    def inputs(self, paths):
        if isinstance(paths, (str, bytes, os.PathLike)):
            paths = [paths]
        paths = [os.fsencode(p) for p in paths]
        for p in paths:
            self.check(lib.ladle_job_add_input(self.ptr, p))
        return [os.fsdecode(p) for p in paths]

    def cancel(self):
        if self.ptr:
            lib.ladle_job_cancel(self.ptr)


def build(table, kw, splitting, command):
    """A Job set from kw; (job, argv) where argv is the equivalent command."""
    kw = {k: v for k, v in kw.items() if not (k == "threads" and v == 0)}
    design = choose_design(kw, splitting)
    job = Job()
    argv = ["ladle", command] + job.apply(table, kw)
    if design == "snowball":
        argv.insert(2, "--snowball")
    job.design(design)
    return job, argv


def finish(done):
    """Waits for done (a threading.Event set when a run has returned),
    through any interrupt: freeing a job that still runs would crash, and
    a Thread.join cut short by KeyboardInterrupt may report a live thread
    as ended, so runs signal an Event instead. False (without waiting)
    once the interpreter is finalizing: its threads may never run again,
    and a leak beats a hang."""
    while True:
        if sys.is_finalizing():
            return done.is_set()
        try:
            if done.wait(0.1):
                return True
        except BaseException:  # a second Ctrl-C: the job is cancelled, it ends soon
            continue


def wait(done, job):
    """Waits for a run on another thread; an exception meanwhile (Ctrl-C)
    cancels the job, waits for its end, and goes on up."""
    try:
        while not done.wait(0.1):
            pass
    except BaseException:
        job.cancel()
        if not finish(done):
            job.ptr = None  # still running at exit: left, not freed
        raise
