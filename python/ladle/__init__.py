"""ladle: sample and split huge line logs into leak-free, verified
datasets, from Python (ctypes over libladle.so; no compiled extension).

    import ladle
    for rec in ladle.sample("app.jsonl.zst", n=1000, seed=7):
        ...                                   # bytes, line end included
    ladle.split("app.jsonl.zst", "ds", ratios="train=0.8,val=0.1,test=0.1", by="user")
    for rec in ladle.Dataset("ds", split="train"):
        ...

The library is $LADLE_LIBRARY, else libladle.so.0 on the loader's path.
Errors raise ladle.LadleError (.message, .status, .status_name).
"""
from . import _lib
from ._dataset import Dataset
from ._errors import LadleError
from ._run import LadleWarning, split, stats, verify
from ._sample import Sample, sample, shuffle

__all__ = ["Dataset", "LadleError", "LadleWarning", "Sample", "sample", "shuffle", "split", "stats",
           "verify", "library_version", "status_name"]
__version__ = "0.6.0"


def library_version():
    """The version of the libladle.so loaded (ladle_version())."""
    return _lib.lib.ladle_version().decode()


def status_name(status):
    """ladle_status_name: "LADLE_E_INPUT" for 3, ..."""
    return _lib.lib.ladle_status_name(int(status)).decode()
