"""Loading libladle.so and declaring what ladle.h exports (ctypes).

The constants mirror include/ladle/ladle.h by value; tests/test_constants.py
reads the header and checks every one.
"""
import ctypes
import ctypes.util
import os

SOVERSION = 0  # the ABI of the ladle.h these declarations follow

# ladle_status
OK, E_USAGE, E_INPUT, E_OUTPUT, E_INTERNAL, E_INTERRUPTED = 0, 2, 3, 4, 5, 130

# ladle_param (ladle_job_set)
P = dict(
    DESIGN=0, N=1, SEED=2, SHUFFLE=3, THREADS=4, CHUNK_SIZE=5, MAX_RECORD=6,
    ZSTD_LONG=7, DROP_CACHE=8, IO_MODE=9, HEADER=10, EVERY=11, START=12,
    EMIT_WEIGHT=13, MISSING=14, TOP=15, BARS=16, PER_STRATUM=17,
    MIN_PER_STRATUM=18, CLUSTERS=19, WITHIN_SIZE=20, WAVES=21, MAX_NODES=22,
    EMIT_WAVE=23, SHARD_SIZE=24, SHARD_RECORDS=25, LEVEL=26, FORCE=27,
    MALFORMED=28, ALLOW_EMPTY=29, STATS_OUTPUT=30, STATS_WIDTH=31,
    SOURCE_STEM=32, APPEND=33, REPLACE=34, BOOTSTRAP=35, MEMORY=36,
    GZIP_INDEX=37,
)
# ladle_string_param (ladle_job_set_string)
S = dict(
    FIELD=0, FORMAT=1, DELIM=2, FRACTIONS=3, LINK=4, SEEDS=5, OUTPUT_DIR=6,
    RATIOS=7, BY=8, TIME_FIELD=9, CUTOFFS=10, STRATIFY=11, BALANCE=12,
    BALANCE_MODE=13, BALANCE_SPLITS=14, TIME_FORMAT=15, TZ=16, STATE=17,
    SOURCE_NAME=18, SOURCE_PREFIX=19, PART=20, TMPDIR=21, LICENSE=22,
)
# ladle_double_param (ladle_job_set_double)
D = dict(RATE=0, WITHIN_RATE=1)

_job_p = ctypes.c_void_p


class Report(ctypes.Structure):
    """ladle_report: what a finished run saw."""

    _fields_ = [
        ("records_in", ctypes.c_uint64),
        ("records_out", ctypes.c_uint64),
        ("bytes_in", ctypes.c_uint64),
        ("bytes_compressed", ctypes.c_uint64),
        ("records_missing", ctypes.c_uint64),
        ("threads", ctypes.c_uint),
        ("io_uring_used", ctypes.c_int),
        ("records_malformed", ctypes.c_uint64),
    ]

    def as_dict(self):
        return {name: getattr(self, name) for name, _ in self._fields_}


class VerifyReport(ctypes.Structure):
    """ladle_verify_report."""

    _fields_ = [
        ("splits", ctypes.c_uint64),
        ("shards", ctypes.c_uint64),
        ("records", ctypes.c_uint64),
        ("bytes", ctypes.c_uint64),
        ("compressed", ctypes.c_uint64),
        ("problems", ctypes.c_uint64),
        ("error", ctypes.c_char * 512),
    ]


# int (*ladle_sink)(void *arg, const char *rec, size_t len, double weight).
# rec as POINTER(c_char): rec[:len] copies the bytes in half the time of
# ctypes.string_at (a foreign call of its own).
SINK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_char),
                        ctypes.c_size_t, ctypes.c_double)


def _candidates():
    env = os.environ.get("LADLE_LIBRARY")
    if env:
        return [env], True
    names = []
    found = ctypes.util.find_library("ladle")
    if found:
        names.append(found)
    names.append("libladle.so.%d" % SOVERSION)
    return names, False


def _declare(lib):
    c = ctypes
    sigs = {
        "ladle_job_new": (_job_p, []),
        "ladle_job_free": (None, [_job_p]),
        "ladle_job_set_design": (c.c_int, [_job_p, c.c_char_p]),
        "ladle_job_set": (c.c_int, [_job_p, c.c_int, c.c_int64]),
        "ladle_job_set_double": (c.c_int, [_job_p, c.c_int, c.c_double]),
        "ladle_job_set_string": (c.c_int, [_job_p, c.c_int, c.c_char_p]),
        "ladle_job_add_input": (c.c_int, [_job_p, c.c_char_p]),
        "ladle_job_add_field": (c.c_int, [_job_p, c.c_char_p]),
        "ladle_job_set_command": (c.c_int, [_job_p, c.c_int, c.POINTER(c.c_char_p)]),
        "ladle_job_run": (c.c_int, [_job_p, c.c_int, c.POINTER(Report)]),
        "ladle_job_run_sink": (c.c_int, [_job_p, SINK, c.c_void_p, c.POINTER(Report)]),
        "ladle_job_output_closed": (c.c_int, [_job_p]),
        "ladle_job_cancel": (None, [_job_p]),
        "ladle_job_error": (c.c_char_p, [_job_p]),
        "ladle_job_split_summary": (c.c_char_p, [_job_p]),
        "ladle_job_split_notes": (c.c_char_p, [_job_p]),
        "ladle_version": (c.c_char_p, []),
        "ladle_status_name": (c.c_char_p, [c.c_int]),
        "ladle_verify": (c.c_int, [c.c_char_p, c.c_void_p, c.c_void_p, c.POINTER(VerifyReport)]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args


def load():
    """The loaded library; ImportError naming every place tried."""
    names, from_env = _candidates()
    tried = []
    for name in names:
        try:
            lib = ctypes.CDLL(name)
        except OSError as e:
            tried.append("%s (%s)" % (name, e))
            continue
        try:
            _declare(lib)
        except AttributeError as e:
            tried.append("%s (not libladle %d.x: %s)" % (name, SOVERSION, e))
            continue
        return lib
    how = ("$LADLE_LIBRARY" if from_env
           else "ctypes.util.find_library('ladle') and the loader's path")
    raise ImportError("ladle: cannot load libladle (tried %s via %s); install ladle "
                      "(cmake --install) or set LADLE_LIBRARY to libladle.so's path"
                      % ("; ".join(tried), how))


lib = load()
