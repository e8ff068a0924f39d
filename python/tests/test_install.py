"""`pip install ./python --no-build-isolation` gives an importable package
(into a --target folder: no system install, no network)."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import SRC


def test_pip_install_target(tmp_path):
    pytest.importorskip("setuptools")
    if subprocess.run([sys.executable, "-m", "pip", "--version"],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        pytest.skip("no pip")
    src = tmp_path / "src"  # a copy: pip's build leaves build/ and egg-info
    shutil.copytree(os.path.join(SRC, "python"), src,
                    ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__"))
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation",
                    "--no-deps", "--no-index", "--target", str(target), str(src)],
                   check=True, env=dict(os.environ, PIP_ROOT_USER_ACTION="ignore"))
    env = dict(os.environ, PYTHONPATH=str(target))
    out = subprocess.run([sys.executable, "-c",
                          "import ladle, sys; print(ladle.__file__); print(ladle.library_version())"],
                         check=True, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, text=True)
    path, version = out.stdout.split()
    import ladle
    assert path.startswith(str(target)) and version == ladle.library_version()


def test_import_error_names_what_it_tried(tmp_path):
    env = dict(os.environ, LADLE_LIBRARY=str(tmp_path / "no-libladle.so"),
               PYTHONPATH=os.path.join(SRC, "python"))
    r = subprocess.run([sys.executable, "-c", "import ladle"], env=env,
                       stderr=subprocess.PIPE, text=True)
    assert r.returncode != 0 and "ImportError" in r.stderr
    assert "no-libladle.so" in r.stderr and "LADLE_LIBRARY" in r.stderr
