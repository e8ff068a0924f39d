"""The package's copies of ladle.h's constants have the header's values."""
import os
import re

import pytest

from conftest import SRC
from ladle import _lib


def header_enum(prefix):
    path = os.path.join(SRC, "include", "ladle", "ladle.h")
    if not os.path.exists(path):
        pytest.skip("no include/ladle/ladle.h")
    with open(path) as f:
        text = f.read()
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"\bLADLE_%s_?([A-Z0-9_]+)\s*=\s*(\d+)" % prefix, text)}


@pytest.mark.parametrize("prefix,table", [("P", _lib.P), ("S", _lib.S), ("D", _lib.D)])
def test_params_match_the_header(prefix, table):
    h = header_enum(prefix)
    for name, value in table.items():
        assert h.get(name) == value, name


def test_status_values():
    h = header_enum("E")
    assert (h["USAGE"], h["INPUT"], h["OUTPUT"], h["INTERNAL"], h["INTERRUPTED"]) == (
        _lib.E_USAGE, _lib.E_INPUT, _lib.E_OUTPUT, _lib.E_INTERNAL, _lib.E_INTERRUPTED)


def test_version_is_the_headers():
    import ladle
    with open(os.path.join(SRC, "include", "ladle", "ladle.h")) as f:
        v = dict(re.findall(r"#define LADLE_VERSION_(MAJOR|MINOR|PATCH) ([0-9]+)", f.read()))
    assert ladle.__version__ == "%s.%s.%s" % (v["MAJOR"], v["MINOR"], v["PATCH"]), (
        "python/ladle/__init__.py's __version__ follows ladle.h's")
