#!/usr/bin/env bash
# CTest's python/pytest: the Python package's tests (python/tests) with
# Debian's python3 over this build's libladle.so. Skips (77) where they
# cannot run: a sanitizer build (a plain python cannot load an
# instrumented library), no shared library, no python3, pytest or
# zstandard.
set -u
if [ -n "${LADLE_PY_SKIP:-}" ]; then
    echo "skip: $LADLE_PY_SKIP"
    exit 77
fi
py=${LADLE_PYTHON:-/usr/bin/python3}
if [ ! -x "$py" ]; then
    echo "skip: no $py"
    exit 77
fi
for m in pytest zstandard; do
    if ! "$py" -c "import $m" 2>/dev/null; then
        echo "skip: $py has no $m module (Debian: python3-$m)"
        exit 77
    fi
done
cd "$LADLE_SRC" || exit 1
# No __pycache__ or .pytest_cache in the source tree.
export PYTHONPATH="$LADLE_SRC/python" PYTHONDONTWRITEBYTECODE=1
exec "$py" -m pytest -q -p no:cacheprovider python/tests
