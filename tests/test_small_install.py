"""`pip install .` without extras gives the maths and the pictures, and nothing of Jupyter.

A clean virtual environment in a temporary folder gets `pip install <a copy of the repository>` with no extras,
at the versions of requirements.lock (a constraints file made from it, without the hashes: the same files as
the project's .venv, so pip's cache serves them). In that environment:

- ipywidgets, IPython, jupyterlab and anywidget cannot be imported (the extras bring them);
- gmmviz, gmmviz.em, gmmviz.plot, gmmviz.animate, gmmviz.figures, gmmviz.sketch and gmmviz.datasets import (a
  module that imports one of them at import time fails here, and the test names its file and line);
- gmmviz.fit_em fits a small data set and gmmviz.animate saves the fit as a GIF (matplotlib's Pillow writer,
  no browser), one image per half-step;
- the installed distribution's version is gmmviz.__version__, the `gmmviz` command starts, and the desktop pad's
  launcher says it needs a desktop (it must not need gmmviz.pads, and with it the widgets, for that).

Slow (a venv and a pip install: about half a minute with pip's cache warm, as in `make test` after the venv
is built); `make check` leaves it out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
# Not importable after `pip install .`: the extras bring them.
NOT_INSTALLED = ("ipywidgets", "IPython", "jupyterlab", "anywidget")
# Importable after `pip install .`, without any of NOT_INSTALLED.
SMALL_MODULES = (
    "gmmviz",
    "gmmviz.em",
    "gmmviz.plot",
    "gmmviz.animate",
    "gmmviz.figures",
    "gmmviz.sketch",
    "gmmviz.datasets",
)

# In the venv before pip installs anything (Python 3.11's ensurepip brings setuptools too), and gmmviz itself.
VENV_OWN = {"pip", "setuptools", "gmmviz"}

pytestmark = pytest.mark.slow

# Run by the small venv's Python: prints one JSON object of what it found.
CHECK = r"""
import importlib, importlib.metadata, importlib.util, json, sys, traceback
from pathlib import Path

out_dir = Path(sys.argv[1])
report = {"importable": [], "import_errors": {}}
for name in json.loads(sys.argv[2]):
    if importlib.util.find_spec(name) is not None:
        report["importable"].append(name)
for name in json.loads(sys.argv[3]):
    try:
        importlib.import_module(name)
    except Exception as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "importlib" not in f.filename]
        where = f"{frames[-1].filename}:{frames[-1].lineno}: {frames[-1].line}" if frames else "?"
        report["import_errors"][name] = f"{type(exc).__name__}: {exc} (at {where})"
if not report["import_errors"]:
    import numpy as np
    import gmmviz
    from gmmviz.animate import animate_em, save_animation

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal((-2.0, 0.0), 0.5, (60, 2)), rng.normal((2.0, 1.0), 0.7, (60, 2))])
    history = gmmviz.fit_em(X, 2, random_state=0, max_iter=4)
    path = save_animation(animate_em(history, dpi=50), out_dir / "em.gif", fps=4)
    report["gif"] = str(path)
    report["n_frames"] = int(history.n_frames)
    report["version"] = gmmviz.__version__
    report["installed_version"] = importlib.metadata.version("gmmviz")
report["loaded"] = sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules)
report["distributions"] = {d.metadata["Name"]: d.version for d in importlib.metadata.distributions()}
print(json.dumps(report))
"""


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def constraints_from_lock(lock: Path) -> str:
    """requirements.lock without hashes and comments: `name==version ; marker` lines pip takes as constraints."""
    text = re.sub(r"\s*\\\n\s*", " ", lock.read_text(encoding="utf-8"))
    lines = []
    for line in text.splitlines():
        line = re.sub(r"\s*--hash=\S+", "", line.split(" #")[0]).strip()
        if line and not line.startswith("#"):
            lines.append(line)
    assert lines, f"{lock} pins nothing"
    return "\n".join(lines) + "\n"


def locked_versions(constraints: str) -> dict[str, str]:
    """name -> version the lock pins for this Python and platform (the small venv's: it is made from this one)."""
    out = {}
    for line in constraints.splitlines():
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate():
            out[normalise(req.name)] = next(iter(req.specifier)).version
    return out


def copy_repository(dest: Path) -> Path:
    """What `pip install .` reads: pyproject.toml, README.md (the long description) and src/. A copy, so that the
    build writes nothing (build/, *.egg-info) into the checkout."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(
        ROOT / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    )
    return dest


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def small_venv(tmp_path_factory) -> Path:
    """A fresh venv with `pip install <repository>` and no extras, at the lock's versions."""
    tmp = tmp_path_factory.mktemp("small-install")
    repo = copy_repository(tmp / "gmm-course")
    constraints = tmp / "constraints.txt"
    constraints.write_text(constraints_from_lock(LOCK), encoding="utf-8")
    venv = tmp / "venv"
    made = run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    assert made.returncode == 0, f"could not create a venv: {made.stderr}"
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    installed = run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-c", str(constraints), str(repo)],
        env=env,
        timeout=900,
    )
    assert installed.returncode == 0, (
        f"`pip install .` (no extras, constrained to requirements.lock) failed:\n"
        f"{installed.stdout[-3000:]}\n{installed.stderr[-3000:]}"
    )
    return venv


@pytest.fixture(scope="module")
def report(small_venv, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("small-install-out")
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PYTHONPATH", "DISPLAY")}
    result = run(
        [
            str(small_venv / "bin" / "python"),
            "-c",
            CHECK,
            str(out),
            json.dumps(NOT_INSTALLED),
            json.dumps(SMALL_MODULES),
        ],
        cwd=out,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, f"the check in the small venv failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.splitlines()[-1])


def test_the_extras_are_not_installed(report):
    assert not report["importable"], (
        f"`pip install .` without extras installed {report['importable']}: move them to an extra in pyproject.toml"
    )


def test_the_maths_and_pictures_modules_import_without_jupyter(report):
    errors = report["import_errors"]
    assert not errors, "these modules need Jupyter packages at import time in a small install:\n" + "\n".join(
        f"  {name}: {message}" for name, message in errors.items()
    )
    assert not report["loaded"], report["loaded"]


def test_fit_em_and_animate_save_a_gif(report):
    assert "gif" in report, f"no animation was made: {report['import_errors']}"
    gif = Path(report["gif"])
    assert gif.exists() and gif.stat().st_size > 10_000, f"{gif} is missing or too small to hold a film"
    with Image.open(gif) as image:
        assert image.format == "GIF"
        assert image.n_frames == report["n_frames"] >= 3, (image.n_frames, report["n_frames"])
        assert image.size[0] > 200 and image.size[1] > 100, image.size


def test_the_installed_version_is_gmmviz_version(report):
    assert "version" in report, f"gmmviz did not import: {report['import_errors']}"
    assert report["installed_version"] == report["version"], (
        f"pip installed gmmviz {report['installed_version']} but gmmviz.__version__ is {report['version']}"
    )


def test_the_small_install_has_the_locked_versions(report):
    """Every distribution pip installed is one the lock pins, at the lock's version (gmmviz aside, and what
    the venv itself comes with)."""
    locked = locked_versions(constraints_from_lock(LOCK))
    installed = {normalise(k): v for k, v in report["distributions"].items()}
    installed = {n: v for n, v in installed.items() if n not in VENV_OWN}
    wrong = {n: (v, locked[n]) for n, v in installed.items() if n in locked and locked[n] != v}
    unlocked = sorted(set(installed) - set(locked))
    assert not wrong and not unlocked, (
        f"installed (version, locked) {wrong}; installed but not in requirements.lock {unlocked}"
    )
    for core in ("numpy", "scipy", "scikit-learn", "threadpoolctl", "matplotlib", "pillow"):
        assert core in installed, f"{core} was not installed by `pip install .`"


def test_the_gmmviz_command_starts(small_venv):
    result = run([str(small_venv / "bin" / "gmmviz"), "--help"], timeout=120)
    assert result.returncode == 0 and "animate" in result.stdout, result.stdout + result.stderr


def test_the_desktop_launcher_says_it_needs_a_desktop(small_venv, tmp_path):
    """Without DISPLAY the ipysketch launcher stops with the pads' message, without importing gmmviz.pads (which
    needs IPython and the widgets, absent here)."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    result = run(
        [str(small_venv / "bin" / "python"), "-m", "gmmviz._ipysketch_launcher", "gmm"],
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 3, f"exit {result.returncode}:\n{result.stderr}"
    assert "needs a desktop; use SketchPad in the browser (DISPLAY is not set)" in result.stderr, (
        result.stderr
    )


def test_the_front_end_files_are_installed_with_the_package(small_venv):
    """anywidget loads each view's JavaScript from a file beside its module: the install must ship them
    (package-data), or the explorers and the sketch pad show nothing in JupyterLab."""
    shipped = sorted(
        str(p.relative_to(ROOT / "src" / "gmmviz"))
        for pattern in ("*.js", "*.css")
        for p in (ROOT / "src" / "gmmviz").rglob(pattern)
    )
    assert shipped, "no front-end files found in src/gmmviz"
    result = run(
        [
            str(small_venv / "bin" / "python"),
            "-c",
            "import sys, importlib.util; from pathlib import Path; "
            "root = Path(importlib.util.find_spec('gmmviz').origin).parent; "
            "print([f for f in sys.argv[1:] if not (root / f).is_file()])",
            *shipped,
        ],
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"not installed with gmmviz: {result.stdout.strip()}"
