"""Create or update the project's virtual environment in .venv.

Re-installs only when pyproject.toml (or the requested extras) changed since the last
install, so `make lab` and `make test` are quick after the first run.

Usage: python3 scripts/setup_venv.py [--extras test]
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--extras", default="", help="comma-separated extras, e.g. 'test'")
    args = parser.parse_args()

    py = VENV / "bin" / "python"
    if not py.exists():
        print(f"Creating virtual environment in {VENV} ...", flush=True)
        create_venv()

    spec = "." + (f"[{args.extras}]" if args.extras else "")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    stamp = VENV / ".gmmviz-installed"
    installed = stamp.read_text().split() if stamp.exists() else []
    if digest in installed:
        return 0
    print(f"Installing gmmviz {spec} into .venv (first run takes a few minutes) ...", flush=True)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "-e", spec], cwd=ROOT, env=env, check=True)
    # Stamp every spec that is now satisfied: installing [test] also satisfies the plain install.
    done = {digest, hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + b".").hexdigest()}
    stamp.write_text("\n".join(sorted(done | set(installed))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
