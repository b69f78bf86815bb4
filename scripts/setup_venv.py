"""Create or update the project's virtual environment in .venv, from the lock file.

Installs exactly the versions (and file hashes) in requirements.lock, every extra included, then
gmmviz itself without dependencies, and removes what the lock does not pin. Re-installs only when
requirements.lock, pyproject.toml or gmmviz's version changed since the last install, so `make lab` and
`make test` are quick after the first run. Everything is relative to this script's folder: a copy in
another tree (scripts/setup_venv.py beside a requirements.lock) builds that tree's .venv
(tests/test_packaging.py does so with a tiny lock).
`make lock` refreshes the lock (see the Makefile).

Usage: python3 scripts/setup_venv.py
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"


def create_venv() -> None:
    """Create .venv; Debian's python3 keeps venv's pip bootstrap in python3-venv, so fetch it if missing."""
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        return
    except (subprocess.CalledProcessError, OSError) as exc:
        failure = exc
    if os.geteuid() == 0 and shutil.which("apt-get"):
        pkg = f"python{sys.version_info.major}.{sys.version_info.minor}-venv"
        print(f"Creating the venv failed ({failure}); installing {pkg} with apt-get ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", pkg], check=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        return
    sys.exit(
        f"Could not create {VENV} ({failure}). On Debian/Ubuntu install the venv module first: "
        f"sudo apt-get install python3-venv"
    )


# Run by the venv's Python after installing: the distributions in the venv that the lock does not pin
# (for this Python and platform), e.g. ones a refreshed lock dropped. `packaging` is in the lock.
UNLOCKED = r"""
import importlib.metadata, re, sys
from packaging.requirements import Requirement
def norm(n):
    return re.sub(r"[-_.]+", "-", n).lower()
text = re.sub(r"\\\n", " ", open(sys.argv[1], encoding="utf-8").read())
locked = set()
for line in text.splitlines():
    line = re.sub(r"\s*--hash=\S+", "", line.split(" #")[0]).strip()
    if line and not line.startswith("#"):
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate():
            locked.add(norm(req.name))
installed = {norm(d.metadata["Name"]) for d in importlib.metadata.distributions()}
print(" ".join(sorted(installed - locked - {"pip", "gmmviz"})))
"""


def version_line() -> bytes:
    """The line of src/gmmviz/__init__.py that sets __version__ (the one place the version is written)."""
    text = (ROOT / "src" / "gmmviz" / "__init__.py").read_bytes()
    return b"\n".join(line for line in text.splitlines() if line.startswith(b"__version__"))


def main() -> int:
    argparse.ArgumentParser(description=__doc__).parse_args()

    py = VENV / "bin" / "python"
    if not py.exists():
        print(f"Creating virtual environment in {VENV} ...", flush=True)
        create_venv()

    # The editable install records gmmviz's version (read from src/gmmviz/__init__.py): a new version
    # re-installs too, so that importlib.metadata.version("gmmviz") always equals gmmviz.__version__.
    digest = hashlib.sha256(
        b"\0".join([LOCK.read_bytes(), (ROOT / "pyproject.toml").read_bytes(), version_line()])
    ).hexdigest()
    stamp = VENV / ".gmmviz-installed"
    if stamp.exists() and stamp.read_text().strip() == digest:
        return 0
    print(
        f"Installing the locked packages ({LOCK.name}) into .venv (the first run takes a few minutes) ...",
        flush=True,
    )
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    pip = [str(py), "-m", "pip", "install", "--quiet"]
    # Every line of the lock carries its hashes: pip refuses any file that differs from the locked one.
    if subprocess.run([*pip, "--require-hashes", "-r", str(LOCK)], cwd=ROOT, env=env).returncode != 0:
        sys.exit(
            f"pip could not install {LOCK.name} into {VENV} (its message is above). 'do not match the hashes' "
            f"means a downloaded file differs from the one the lock pins; 'hashes are required' means a line "
            f"of {LOCK.name} has no --hash: re-create the lock with `make lock`."
        )
    # The dependencies are all in the lock; gmmviz itself is the checkout (editable).
    subprocess.run([*pip, "--no-deps", "-e", "."], cwd=ROOT, env=env, check=True)
    # Exactly the lock: remove what an earlier lock installed and this one no longer pins.
    extra = subprocess.run(
        [str(py), "-c", UNLOCKED, str(LOCK)], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    if extra:
        print(f"Removing packages the lock no longer pins: {' '.join(extra)}", flush=True)
        subprocess.run([str(py), "-m", "pip", "uninstall", "--quiet", "-y", *extra], env=env, check=True)
    stamp.write_text(digest + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
