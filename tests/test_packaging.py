"""The ways to install and run the course agree with each other.

* pyproject.toml (pip) and environment.yml (conda, Binder) are the loose statement of what is needed and
  list the same packages with the same version constraints: the dependencies + every extra.
* requirements.lock (`make lock`, installed by `make lab` / `make test`) pins every one of them, with
  hashes, and the project's .venv holds exactly the locked versions.
* environment.yml is Binder-ready: conda-forge only, an exact Python, the package itself via pip.
* The Makefile has the `lab` and `test` targets and CI runs `make test`.
* What the scripts do is checked by running them (in temporary copies, with small inputs): `make lock` (with
  a stand-in uv) re-resolves every extra, `make check` runs the fast lane only, scripts/setup_venv.py installs
  exactly a lock and refuses a file whose hash differs, and scripts/test.sh's pytest command fails a notebook
  whose saved output is wrong.
* gmmviz's version is written once (src/gmmviz/__init__.py) and is the installed distribution's.

A `pip install .` without extras is tested in tests/test_small_install.py.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import nbformat
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
LOCK = ROOT / "requirements.lock"
# The distribution's own name: an extra may name others ("gmmviz[widgets]"), which are not packages to list.
SELF = "gmmviz"
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


def extras(pyproject) -> list[str]:
    """The extras of pyproject.toml: environment.yml and the lock cover every one of them."""
    return list(pyproject["project"]["optional-dependencies"])


def declared(pyproject) -> list[str]:
    """Runtime dependencies and every extra's requirements, as written in pyproject.toml, without the extras'
    references to other extras of gmmviz itself (each is listed where it is defined)."""
    project = pyproject["project"]
    reqs = list(project["dependencies"]) + [
        r for e in extras(pyproject) for r in project["optional-dependencies"][e]
    ]
    return [r for r in reqs if normalise(Requirement(r).name) != SELF]


def test_extras_refer_only_to_extras_that_exist(pyproject):
    names = set(extras(pyproject))
    for extra, reqs in pyproject["project"]["optional-dependencies"].items():
        for text in reqs:
            req = Requirement(text)
            if normalise(req.name) == SELF:
                assert req.extras <= names, f"the {extra!r} extra names unknown extras {req.extras - names}"


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
    assert pip.get("otter-grader") == "==7.0.0"
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
    assert split_requirement("ipysketch==0.2.*") == ("ipysketch", "==0.2.*")
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


def notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    """A notebook of code cells (source, saved stdout), as if executed and saved."""
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    for i, (source, stdout) in enumerate(cells, start=1):
        cell = nbformat.v4.new_code_cell(source, execution_count=i)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stdout)]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def pytest_command_of_test_sh(*pytest_args: str) -> list[str]:
    """The pytest command scripts/test.sh runs, as it prints it with --dry-run."""
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test.sh"), "--dry-run", *pytest_args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and out.stdout.strip(), f"scripts/test.sh --dry-run failed: {out.stderr}"
    return shlex.split(out.stdout)


@pytest.mark.slow
def test_test_sh_fails_a_notebook_whose_saved_output_is_wrong(tmp_path):
    """scripts/test.sh's pytest command, run in a copy of the checkout's layout whose tests/ and notebooks/
    hold a test and two small notebooks of its own: the notebook whose saved output differs from what it
    prints fails (nbval compares every cell, not --nbval-lax), the one whose outputs differ only where
    tests/nbval_sanitize.cfg sanitizes (a memory address) passes, and tests/ runs too."""
    (tmp_path / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")  # pytest's settings
    (tmp_path / "tests").mkdir()
    shutil.copy2(ROOT / "tests" / "nbval_sanitize.cfg", tmp_path / "tests" / "nbval_sanitize.cfg")
    (tmp_path / "tests" / "test_unit.py").write_text("def test_unit():\n    assert 1 + 1 == 2\n")
    (tmp_path / "notebooks").mkdir()
    notebook(
        tmp_path / "notebooks" / "right.ipynb",
        [("print(1 + 1)", "2\n"), ("print(object())", "<object object at 0x7f00deadbeef>\n")],
    )
    notebook(tmp_path / "notebooks" / "wrong.ipynb", [("print(1 + 1)", "3\n")])
    report = tmp_path / "report.xml"
    cmd = pytest_command_of_test_sh(f"--junitxml={report}", "-p", "no:cacheprovider")
    result = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    outcomes = {}
    for case in ElementTree.parse(report).getroot().iter("testcase") if report.exists() else []:
        failed = case.find("failure") is not None or case.find("error") is not None
        outcomes[f"{case.get('file') or case.get('classname')}::{case.get('name')}"] = (
            "failed" if failed else "skipped" if case.find("skipped") is not None else "passed"
        )
    log = f"{' '.join(cmd)}\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    by_file = {}
    for name, outcome in outcomes.items():
        for key in ("right.ipynb", "wrong.ipynb", "test_unit"):
            if key in name:
                by_file.setdefault(key, set()).add(outcome)
    assert by_file.get("test_unit") == {"passed"}, f"the tests/ folder did not run: {outcomes}\n{log}"
    assert by_file.get("right.ipynb") == {"passed"}, (
        f"a notebook whose outputs match (after tests/nbval_sanitize.cfg) did not pass: {outcomes}\n{log}"
    )
    assert by_file.get("wrong.ipynb") == {"failed"}, (
        f"a notebook whose saved output is wrong did not fail (no --nbval, or --nbval-lax?): {outcomes}\n{log}"
    )
    assert result.returncode == 1, f"pytest exited {result.returncode}, expected 1 (one failure)\n{log}"


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


def test_the_venv_has_the_version_gmmviz_says():
    """The installed distribution's version (what pip and importlib.metadata report) is gmmviz.__version__."""
    import gmmviz

    installed = importlib.metadata.version("gmmviz")
    assert gmmviz.__version__ == installed, (
        f"gmmviz.__version__ is {gmmviz.__version__!r} but the installed gmmviz is {installed!r}: "
        "re-install it (python3 scripts/setup_venv.py, or pip install -e .)"
    )


def test_the_version_is_written_only_in_gmmviz_init(tmp_path):
    """A build of pyproject.toml takes its version from src/gmmviz/__init__.py, read without importing gmmviz:
    here an __init__.py with another version and an import that cannot work (no gmmviz.em beside it)."""
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copy2(ROOT / "README.md", tmp_path / "README.md")
    (tmp_path / "src" / "gmmviz").mkdir(parents=True)
    (tmp_path / "src" / "gmmviz" / "__init__.py").write_text(
        'from .em import fit_em\n\n__version__ = "9.8.7"\n'
    )
    (tmp_path / "meta").mkdir()
    build = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from setuptools import build_meta; "
            "print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))",
            str(tmp_path / "meta"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, (
        f"setuptools could not read pyproject.toml's metadata:\n{build.stderr[-3000:]}"
    )
    metadata = (tmp_path / "meta" / build.stdout.split()[-1] / "METADATA").read_text(encoding="utf-8")
    version = re.search(r"^Version: (\S+)$", metadata, re.M)
    assert version and version.group(1) == "9.8.7", (
        f"a build says version {version and version.group(1)!r}, __init__.py says '9.8.7': pyproject.toml "
        "must not write its own version (dynamic = ['version'], read from gmmviz.__version__)"
    )


# --------------------------------------------------------------------------------------------------
# scripts/setup_venv.py, run in a copy of the checkout with a tiny lock (its own .venv, not the project's)


def lock_entry(name: str) -> str:
    """The text of requirements.lock's entry for `name` (requirement line and hashes, no comments)."""
    text = re.sub(r"\s*\\\n\s*", " ", LOCK.read_text(encoding="utf-8"))
    lines = [line for line in text.splitlines() if re.match(rf"{re.escape(name)}==", line, re.I)]
    assert len(lines) == 1, f"requirements.lock should pin {name} once, for every Python: {lines}"
    return lines[0].split(" #")[0].strip()


def run_setup_venv(tree: Path, entries: list[str]) -> subprocess.CompletedProcess:
    (tree / "requirements.lock").write_text("\n".join(entries) + "\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(tree / "scripts" / "setup_venv.py")],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=600,
    )


def venv_names(venv: Path) -> dict[str, str]:
    dists, _ = venv_distributions(venv)
    return dists


@pytest.mark.slow
def test_setup_venv_installs_exactly_the_lock_and_refuses_a_wrong_hash(tmp_path):
    """scripts/setup_venv.py in a copy of the checkout (the real pyproject.toml, a one-line gmmviz, and a lock
    of three small packages taken from requirements.lock): it installs exactly the lock plus gmmviz; a package
    the lock drops is removed; a file whose hash differs from the lock's, or a lock line without a hash, is
    refused with a message, and nothing is installed."""
    tree = tmp_path / "checkout"
    (tree / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "setup_venv.py", tree / "scripts" / "setup_venv.py")
    shutil.copy2(ROOT / "pyproject.toml", tree / "pyproject.toml")
    shutil.copy2(ROOT / "README.md", tree / "README.md")
    (tree / "src" / "gmmviz").mkdir(parents=True)
    (tree / "src" / "gmmviz" / "__init__.py").write_text('__version__ = "0.1.0"\n')
    venv = tree / ".venv"
    # packaging: setup_venv.py itself needs it in the venv (to read the lock's markers).
    packaging, six, cycler = (lock_entry(n) for n in ("packaging", "six", "cycler"))
    version = {n: lock_entry(n).split()[0].split("==")[1] for n in ("packaging", "six", "cycler")}

    first = run_setup_venv(tree, [packaging, six, cycler])
    assert first.returncode == 0, f"setup_venv.py failed on a valid lock:\n{first.stdout}\n{first.stderr}"
    names = venv_names(venv)
    assert names == {**version, "pip": names.get("pip"), "gmmviz": "0.1.0"}, (
        f"the venv should hold exactly the lock {version}, pip and gmmviz 0.1.0; it holds {names}"
    )

    dropped = run_setup_venv(tree, [packaging, six])
    assert dropped.returncode == 0, f"{dropped.stdout}\n{dropped.stderr}"
    assert "cycler" not in venv_names(venv), "a package the lock no longer pins was left installed"
    assert "no longer pins: cycler" in dropped.stdout, dropped.stdout

    # cycler is not installed now, so pip downloads it and checks its hash against the (wrong) ones: every
    # hash of the entry is changed (pip takes a file that matches any one of them).
    wrong = re.sub(r"(--hash=sha256:)([0-9a-f]{64})", lambda m: m.group(1) + m.group(2)[::-1], cycler)
    stamp = (venv / ".gmmviz-installed").read_text()
    refused = run_setup_venv(tree, [packaging, six, wrong])
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, f"a file whose hash differs from the lock's was installed:\n{output}"
    assert "DO NOT MATCH THE HASHES" in output and "a downloaded file differs" in output, output
    assert "cycler" not in venv_names(venv)
    assert (venv / ".gmmviz-installed").read_text() == stamp, "a failed install must not mark the venv done"

    # One line without a hash among hashed ones, then a lock without any hash (pip checks hashes only when
    # told to, or when some line has one).
    for entries in (
        [packaging, six, cycler.split(" --hash")[0]],
        [e.split(" --hash")[0] for e in (six, cycler)],
    ):
        unhashed = run_setup_venv(tree, entries)
        output = unhashed.stdout + unhashed.stderr
        assert unhashed.returncode != 0, f"a lock line without a hash was installed ({entries}):\n{output}"
        assert "Hashes are required" in output and "has no --hash" in output, output
        assert "cycler" not in venv_names(venv)


# --------------------------------------------------------------------------------------------------
# The Makefile's lock and check targets, run by make in a copy of the checkout


def fake_command(path: Path, script: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


def make_copy(tmp_path: Path) -> Path:
    """A copy of the checkout's Makefile and pyproject.toml in which `PY=<tree>/fake-python` stands in for
    python3 (it logs `setup_venv` instead of installing anything)."""
    if not shutil.which("make"):
        pytest.fail("make is not installed: `make lab` and `make test` need it", pytrace=False)
    tree = tmp_path / "checkout"
    tree.mkdir()
    shutil.copy2(ROOT / "Makefile", tree / "Makefile")
    shutil.copy2(ROOT / "pyproject.toml", tree / "pyproject.toml")
    fake_command(tree / "fake-python", f'echo "setup_venv $*" >> "{tree}/calls.log"\n')
    return tree


def run_make(tree: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(
        ["make", "--no-print-directory", f"PY={tree / 'fake-python'}", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("upgrade", [False, True], ids=["keep-pins", "UPGRADE=1"])
def test_make_lock_resolves_every_extra_with_hashes(tmp_path, pyproject, upgrade):
    """`make lock` with a stand-in uv that logs its arguments: one `uv pip compile` of pyproject.toml with
    every extra of pyproject.toml, hashes, for every platform from the lowest supported Python, into
    requirements.lock, moving pins only with UPGRADE=1; then the venv is re-installed from it."""
    tree = make_copy(tmp_path)
    wanted_uv = run_make(tree, "--eval", "print-uv: ; @echo $(UV_VERSION)", "print-uv").stdout.strip()
    fake_command(
        tree / ".cache" / "uv" / "bin" / "uv",
        f'if [ "$1" = --version ]; then echo "uv {wanted_uv}"; exit 0; fi\n'
        f'for a in "$@"; do echo "$a"; done > "{tree}/uv-args"\necho "uv" >> "{tree}/calls.log"\n',
    )
    result = run_make(tree, "lock", *(["UPGRADE=1"] if upgrade else []))
    assert result.returncode == 0, f"make lock failed:\n{result.stdout}\n{result.stderr}"
    args = (tree / "uv-args").read_text().splitlines()
    assert args[:2] == ["pip", "compile"] and "pyproject.toml" in args, args
    locked = {args[i + 1] for i, a in enumerate(args) if a == "--extra"}
    assert locked == set(extras(pyproject)), (
        f"`make lock` locks the extras {sorted(locked)}, pyproject.toml has {sorted(extras(pyproject))}: "
        "list every extra in the Makefile's LOCK_EXTRAS"
    )
    assert "--generate-hashes" in args and "--universal" in args, args
    assert args[args.index("-o") + 1] == "requirements.lock", args
    lowest = re.fullmatch(r">=\s*(3\.\d+)", pyproject["project"]["requires-python"]).group(1)
    assert args[args.index("--python-version") + 1] == lowest, args
    assert ("--upgrade" in args) == upgrade, args
    calls = (tree / "calls.log").read_text().split("\n")
    assert calls[-3:] == ["uv", "setup_venv scripts/setup_venv.py", ""], (
        f"after the new lock, make lock must install it into .venv: {calls}"
    )


@pytest.mark.slow
def test_make_check_runs_only_the_fast_lane(tmp_path):
    """`make check` in a copy of the checkout whose tests/ holds one test per marker, and whose notebooks/
    holds a notebook that fails when run: only the unmarked test runs (no slow, browser or desktop test,
    no notebook), after the venv is brought up to date. The copy's .venv/bin/python runs the project's
    for pytest and only logs any other step of the recipe (the type check has tests of its own)."""
    tree = make_copy(tmp_path)
    fake_command(
        tree / ".venv" / "bin" / "python",
        f'echo "python $*" >> "{tree}/calls.log"\n'
        f'if [ "$1 $2" = "-m pytest" ]; then exec "{ROOT / ".venv" / "bin" / "python"}" "$@"; fi\n',
    )
    ran = tree / "ran.log"
    tests = [
        "import pytest\n",
        "def record(name):\n",
        f"    with open({str(ran)!r}, 'a') as f:\n        f.write(name + '\\n')\n",
        "def test_fast():\n    record('fast')\n",
    ]
    for marker in ("slow", "browser", "desktop"):
        tests.append(f"@pytest.mark.{marker}\ndef test_{marker}():\n    record('{marker}')\n")
    (tree / "tests").mkdir()
    (tree / "tests" / "test_lanes.py").write_text("".join(tests))
    (tree / "notebooks").mkdir()
    notebook(tree / "notebooks" / "wrong.ipynb", [("raise SystemExit('a notebook ran')", "")])
    result = run_make(tree, "check")
    assert result.returncode == 0, f"make check failed:\n{result.stdout}\n{result.stderr}"
    assert ran.read_text().split() == ["fast"], (
        f"make check ran {ran.read_text().split()}: only the fast lane (not slow, browser or desktop)"
    )
    assert "1 passed, 3 deselected" in result.stdout, result.stdout
    calls = (tree / "calls.log").read_text().splitlines()
    assert calls[0] == "setup_venv scripts/setup_venv.py", (
        f"make check must bring the venv up to date first: {calls}"
    )
    assert calls[1].startswith("python -m pytest tests "), calls
