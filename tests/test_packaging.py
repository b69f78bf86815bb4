"""The ways to install and run the course agree with each other.

* pyproject.toml (pip) and environment.yml (conda, Binder) are the loose statement of what is needed and
  list the same packages with the same version constraints: dependencies + the "test" and "scale" extras.
* requirements.lock (`make lock`, installed by `make lab` / `make test`) pins every one of them, with
  hashes, and the project's .venv holds exactly the locked versions.
* environment.yml is Binder-ready: conda-forge only, an exact Python, the package itself via pip.
* The Makefile has the `lab` and `test` targets and CI runs `make test`.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # PyYAML: a dependency of jupyter_events, so of jupyterlab
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10: tomli is in the "test" extra there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

# Conda packages that are not Python distributions from pyproject.toml.
CONDA_ONLY = {"python", "pip"}
# Lines of the pip section that install this repository itself.
LOCAL = {"-e .", ".", "-e ./", "./"}
# The extras that environment.yml and the lock cover besides the runtime dependencies.
EXTRAS = ("test", "scale")
LOCK = ROOT / "requirements.lock"
# environment.yml pins python=3.11: requirements whose marker excludes that Python are not listed there.
CONDA_PYTHON = {"python_version": "3.11", "python_full_version": "3.11.0"}


def normalise(name: str) -> str:
    """PEP 503 names: case and runs of -_. do not matter (Scikit_Learn == scikit-learn)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split_requirement(req: str) -> tuple[str, str]:
    """'scikit-learn>=1.3' -> ('scikit-learn', '>=1.3'); extras ('dask[array]') and markers are dropped."""
    m = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*?)\s*(?:;.*)?", req)
    assert m, f"cannot parse requirement {req!r}"
    return normalise(m.group(1)), m.group(2).replace(" ", "")


def conda_to_pip_spec(spec: str) -> str:
    """Conda's 'pkg=0.11' means 0.11.* (pip '==0.11.*'); other operators read the same in both."""
    if re.fullmatch(r"=[^=<>!,]+", spec):
        return "=" + spec + ("" if spec.endswith("*") else ".*")
    return spec


@pytest.fixture(scope="module")
def pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def environment() -> dict:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert isinstance(env, dict), "environment.yml must be a mapping (name, channels, dependencies)"
    return env


def declared(pyproject) -> list[str]:
    """Runtime dependencies and the locked extras, as written in pyproject.toml."""
    project = pyproject["project"]
    return list(project["dependencies"]) + [r for e in EXTRAS for r in project["optional-dependencies"][e]]


def pyproject_requirements(pyproject, marker_env: dict | None = None) -> dict[str, str]:
    """Name -> version spec; with `marker_env`, only the requirements whose marker holds there."""
    reqs = [
        r
        for r in declared(pyproject)
        if marker_env is None or Requirement(r).marker is None or Requirement(r).marker.evaluate(marker_env)
    ]
    out = dict(split_requirement(r) for r in reqs)
    assert len(out) == len(reqs), "a package is listed twice in pyproject.toml"
    return out


def environment_requirements(environment) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(conda packages, pip packages, local pip lines) of environment.yml."""
    conda, pip, local = {}, {}, []
    pip_sections = [d for d in environment["dependencies"] if isinstance(d, dict)]
    assert len(pip_sections) <= 1 and all(set(d) == {"pip"} for d in pip_sections), pip_sections
    for dep in environment["dependencies"]:
        if isinstance(dep, str):
            name, spec = split_requirement(dep)
            assert name not in conda, f"{name} listed twice in environment.yml"
            conda[name] = conda_to_pip_spec(spec)
    for line in pip_sections[0]["pip"] if pip_sections else []:
        if line.strip() in LOCAL:
            local.append(line.strip())
            continue
        name, spec = split_requirement(line)
        assert name not in pip, f"{name} listed twice in environment.yml's pip section"
        pip[name] = spec
    return conda, pip, local


def test_environment_yml_lists_the_same_packages_as_pyproject(pyproject, environment):
    wanted = pyproject_requirements(pyproject, CONDA_PYTHON)
    conda, pip, _ = environment_requirements(environment)
    both = set(conda) & set(pip)
    assert not both, f"{sorted(both)} installed by both conda and pip in environment.yml"
    have = {name: spec for name, spec in {**conda, **pip}.items() if name not in CONDA_ONLY}
    missing = sorted(set(wanted) - set(have))
    extra = sorted(set(have) - set(wanted))
    assert not missing and not extra, (
        f"pyproject.toml and environment.yml drifted apart: missing from environment.yml {missing}, "
        f"not in pyproject.toml {extra}. Add or remove them in both."
    )
    for name, spec in wanted.items():
        assert have[name] == spec.replace(" ", ""), (
            f"{name}: pyproject.toml says {spec!r}, environment.yml says {have[name]!r}: make them agree"
        )


def test_environment_yml_is_binder_ready(pyproject, environment):
    assert environment["name"] == "gmm-course"
    assert environment["channels"] == ["conda-forge"]
    conda, pip, local = environment_requirements(environment)
    # repo2docker uses its own default Python unless the version is pinned exactly.
    assert conda.get("python") == "==3.11.*", f"pin python=3.11, got {conda.get('python')!r}"
    assert "pip" in conda, "list pip among the conda packages when there is a pip section"
    # Not on conda-forge at the versions the course needs: from PyPI, through the pip section.
    assert pip.get("ipysketch") == "==0.2.2"
    assert pip.get("ipysketch-lite") == "==0.6.*"
    assert local, "install gmmviz itself: '-e .' in the pip section"
    # And the pinned Python is one the package supports.
    requires = pyproject["project"]["requires-python"]
    m = re.fullmatch(r">=\s*3\.(\d+)", requires)
    assert m and 11 >= int(m.group(1)), f"python=3.11 does not satisfy requires-python {requires!r}"


def test_make_targets_parser():
    text = "X ?= 1\n.PHONY: a\na: V = 1\na: b\n\t@echo a\n\t@echo A\n\nb:\n\techo b\n"
    assert make_targets(text) == {"a": ["@echo a", "@echo A"], "b": ["echo b"]}


def test_requirement_parsing():
    assert split_requirement("Scikit_Learn >= 1.3") == ("scikit-learn", ">=1.3")
    assert split_requirement("dask[array]>=2024.1") == ("dask", ">=2024.1")
    assert split_requirement("tomli>=2; python_version < '3.11'") == ("tomli", ">=2")
    assert split_requirement("ipysketch-lite==0.6.*") == ("ipysketch-lite", "==0.6.*")
    assert split_requirement("pillow") == ("pillow", "")
    assert conda_to_pip_spec("=0.11") == "==0.11.*"
    assert conda_to_pip_spec("=3.11") == "==3.11.*"
    assert conda_to_pip_spec(">=8.1,<9") == ">=8.1,<9"


def make_targets(makefile: str) -> dict[str, list[str]]:
    """Target -> recipe lines (tab-indented) of a simple Makefile."""
    targets: dict[str, list[str]] = {}
    current = None
    for line in makefile.splitlines():
        if line.startswith("\t"):
            if current is not None:
                targets[current].append(line.strip())
            continue
        current = None
        m = re.match(r"^([A-Za-z0-9_-]+)\s*:(?!=)(.*)$", line)
        if not m:
            continue
        targets.setdefault(m.group(1), [])
        # "lab: VENV_ARGS = ..." sets a target-specific variable; a recipe follows only a rule line.
        if not re.match(r"\s*[A-Za-z_][A-Za-z0-9_]*\s*[:+?]?=", m.group(2)):
            current = m.group(1)
    return targets


def test_makefile_has_lab_and_test():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = make_targets(makefile)
    for name in ("lab", "test"):
        assert name in targets, f"Makefile has no `{name}` target"
        assert targets[name], f"`make {name}` has no recipe"
    assert any("scripts/lab.sh" in line for line in targets["lab"]), targets["lab"]
    assert any("scripts/test.sh" in line for line in targets["test"]), targets["test"]
    assert "pytest" in (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M)
    assert phony and {"lab", "test"} <= set(phony.group(1).split())


def test_ci_runs_make_test():
    run = ROOT / ".ci" / "run"
    lines = [line.split("#")[0].strip() for line in run.read_text(encoding="utf-8").splitlines()]
    assert "make test" in lines, ".ci/run must call `make test` (the README's test command)"
    # CI=true set by .ci/run itself, before make test: missing browser/Xvfb/Tk fail on any CI service.
    assert "export CI=true" in lines and lines.index("export CI=true") < lines.index("make test")


@pytest.mark.parametrize("ci", ["true", ""])
def test_system_deps_fails_under_ci_when_it_cannot_install(tmp_path, ci):
    """With no apt-get (a PATH holding only the basic tools), chromium, Xvfb and xdotool are missing and
    cannot be installed: under CI=true that is a failure with a clear message, otherwise a warning."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "id", "head", "cat"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    result = subprocess.run(
        [str(bin_dir / "bash"), str(ROOT / "scripts" / "system_deps.sh")],
        cwd=tmp_path,
        env={"PATH": str(bin_dir), "CI": ci},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "chromium" in result.stderr and "xvfb" in result.stderr, result.stderr
    if ci:
        assert result.returncode != 0, result.stderr
        assert "ERROR" in result.stderr and "CI=true" in result.stderr, result.stderr
    else:
        assert result.returncode == 0 and "WARNING" in result.stderr, result.stderr


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert first_block, "README.md has no command block"
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands[:2] == ["make lab", "make test"], commands
    assert readme.index("make lab") < readme.index("## What the course teaches")


def test_test_script_runs_nbval_over_the_notebooks_without_lax():
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "--nbval " in script or "--nbval\n" in script or "--nbval --" in script
    assert "notebooks" in script and "--nbval-lax" not in script
    assert "tests/nbval_sanitize.cfg" in script


# --------------------------------------------------------------------------------------------------
# The lock file


# Marker environments the lock must serve (it is resolved for every platform, Python >= 3.10).
def marker_env(python: str, platform: str = "linux") -> dict[str, str]:
    full = python if python.count(".") == 2 else python + ".0"
    sys_platform, os_name = {
        "linux": ("linux", "posix"),
        "darwin": ("darwin", "posix"),
        "win32": ("win32", "nt"),
    }[platform]
    return {
        "python_version": ".".join(full.split(".")[:2]),
        "python_full_version": full,
        "sys_platform": sys_platform,
        "os_name": os_name,
        "platform_system": platform.title(),
        "platform_machine": "x86_64",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    }


LOCK_ENVS = [
    marker_env(v, p) for v in ("3.10", "3.11.7", "3.12", "3.13") for p in ("linux", "darwin", "win32")
]


def parse_lock(text: str) -> list[dict]:
    """Entries of a hashed requirements file: name, version, marker (or None) and sha256 hashes."""
    entries = []
    for line in re.sub(r"\\\n", " ", text).splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
        req = Requirement(re.sub(r"\s*--hash=\S+", "", line))
        pins = [s.version for s in req.specifier if s.operator == "=="]
        assert len(req.specifier) == 1 and len(pins) == 1 and "*" not in pins[0], (
            f"requirements.lock: {line[:80]!r} is not pinned to one exact version (run `make lock`)"
        )
        entries.append(
            {"name": normalise(req.name), "version": pins[0], "marker": req.marker, "hashes": hashes}
        )
    return entries


def lock_for(entries: list[dict], env: dict) -> dict[str, str]:
    """name -> locked version for one marker environment."""
    out: dict[str, str] = {}
    for e in entries:
        if e["marker"] is None or e["marker"].evaluate(env):
            assert e["name"] not in out, (
                f"requirements.lock pins {e['name']} twice for {env['python_full_version']}"
            )
            out[e["name"]] = e["version"]
    return out


@pytest.fixture(scope="module")
def lock() -> list[dict]:
    assert LOCK.exists(), "requirements.lock is missing: run `make lock`"
    return parse_lock(LOCK.read_text(encoding="utf-8"))


def test_parse_lock():
    text = (
        "# header\nnumpy==2.4.6 ; python_full_version >= '3.11' \\\n    --hash=sha256:"
        + "a" * 64
        + " \\\n    --hash=sha256:"
        + "b" * 64
        + "\n    # via gmmviz (pyproject.toml)\n"
        "Scikit_Learn==1.9.1 \\\n    --hash=sha256:" + "c" * 64 + "\n"
    )
    entries = parse_lock(text)
    assert [(e["name"], e["version"], len(e["hashes"])) for e in entries] == [
        ("numpy", "2.4.6", 2),
        ("scikit-learn", "1.9.1", 1),
    ]
    assert lock_for(entries, marker_env("3.11.7")) == {"numpy": "2.4.6", "scikit-learn": "1.9.1"}
    assert lock_for(entries, marker_env("3.10")) == {"scikit-learn": "1.9.1"}
    with pytest.raises(AssertionError, match="not pinned"):
        parse_lock("numpy>=2\n")


def test_every_locked_file_has_a_hash(lock):
    unhashed = [e["name"] for e in lock if not e["hashes"]]
    assert not unhashed, (
        f"requirements.lock has no hashes for {unhashed}: run `make lock` (--generate-hashes)"
    )


@pytest.mark.parametrize("env", LOCK_ENVS, ids=lambda e: f"py{e['python_full_version']}-{e['sys_platform']}")
def test_lock_pins_every_declared_dependency(pyproject, lock, env):
    pinned = lock_for(lock, env)
    problems = []
    for text in declared(pyproject):
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = normalise(req.name)
        if name not in pinned:
            problems.append(f"{name} is declared in pyproject.toml but not in requirements.lock")
        elif not req.specifier.contains(pinned[name], prereleases=True):
            problems.append(f"{name}=={pinned[name]} in requirements.lock does not satisfy {text!r}")
    assert not problems, "\n".join(problems) + "\nRefresh the lock: `make lock`"


def venv_distributions(venv: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(name -> installed version, marker environment) of the virtual environment at `venv`."""
    site = sorted(venv.glob("lib/python3.*/site-packages"))
    assert len(site) == 1, f"cannot find one site-packages in {venv}: {site}"
    cfg = {
        k.strip(): v.strip()
        for k, v in (
            line.split("=", 1) for line in (venv / "pyvenv.cfg").read_text().splitlines() if "=" in line
        )
    }
    version = cfg.get("version") or cfg["version_info"]
    env = marker_env(
        ".".join(version.split(".")[:3]), sys.platform if sys.platform in ("darwin", "win32") else "linux"
    )
    env["platform_machine"] = platform.machine()
    dists = {
        normalise(d.metadata["Name"]): d.version
        for d in importlib.metadata.distributions(path=[str(site[0])])
    }
    return dists, env


# Installed by venv/pip itself or the checkout, so not in the lock.
NOT_LOCKED = {"pip", "gmmviz"}


def test_the_venv_holds_exactly_the_locked_versions(lock):
    venv = ROOT / ".venv"
    if not (venv / "pyvenv.cfg").exists():
        message = f"{venv} does not exist: `make check` / `make test` create it from requirements.lock"
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(message + " (CI=true: this must run)", pytrace=False)
        pytest.skip(message)
    installed, env = venv_distributions(venv)
    pinned = lock_for(lock, env)
    wrong = [
        f"{n}: installed {installed[n]}, locked {v}"
        for n, v in pinned.items()
        if n in installed and installed[n] != v
    ]
    absent = sorted(set(pinned) - set(installed))
    unlocked = sorted(set(installed) - set(pinned) - NOT_LOCKED)
    assert not wrong and not absent and not unlocked, (
        f".venv differs from requirements.lock: {wrong}; locked but not installed {absent}; "
        f"installed but not locked {unlocked}. Re-create it: rm -r .venv && make check"
    )


def test_setup_venv_installs_the_lock_with_hashes():
    script = (ROOT / "scripts" / "setup_venv.py").read_text(encoding="utf-8")
    assert '"--require-hashes", "-r", str(LOCK)' in script
    assert '"--no-deps", "-e", "."' in script
    assert 'ROOT / "requirements.lock"' in script
    # Re-installs when the lock or pyproject.toml changes.
    assert "LOCK.read_bytes()" in script and '"pyproject.toml").read_bytes()' in script


def test_make_lock_and_make_check():
    targets = make_targets((ROOT / "Makefile").read_text(encoding="utf-8"))
    lock_recipe = " ".join(targets.get("lock", []))
    assert (
        "uv pip compile" in lock_recipe
        and "pyproject.toml" in lock_recipe
        and "--generate-hashes" in lock_recipe
    )
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for extra in EXTRAS:
        assert f"--extra {extra}" in makefile, f"`make lock` must lock the {extra!r} extra"
    check = " ".join(targets.get("check", []))
    assert "pytest" in check and "not browser" in check and "not desktop" in check and "not slow" in check
    assert "notebooks" not in check.replace("tests", "")
