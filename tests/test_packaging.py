"""The ways to install and run the course agree with each other.

* pyproject.toml (pip, `make lab` / `make test`) and environment.yml (conda, Binder) list the same
  packages with the same version constraints: dependencies + the "test" extra.
* environment.yml is Binder-ready: conda-forge only, an exact Python, the package itself via pip.
* The Makefile has the `lab` and `test` targets and CI runs `make test`.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")
import yaml  # PyYAML: a dependency of jupyter_events, so of jupyterlab

ROOT = Path(__file__).resolve().parents[1]

# Conda packages that are not Python distributions from pyproject.toml.
CONDA_ONLY = {"python", "pip"}
# Lines of the pip section that install this repository itself.
LOCAL = {"-e .", ".", "-e ./", "./"}


def normalise(name: str) -> str:
    """PEP 503 names: case and runs of -_. do not matter (Scikit_Learn == scikit-learn)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split_requirement(req: str) -> tuple[str, str]:
    """'scikit-learn>=1.3' -> ('scikit-learn', '>=1.3'); extras and markers are not used here."""
    m = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*", req)
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


def pyproject_requirements(pyproject) -> dict[str, str]:
    project = pyproject["project"]
    reqs = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
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
    for line in (pip_sections[0]["pip"] if pip_sections else []):
        if line.strip() in LOCAL:
            local.append(line.strip())
            continue
        name, spec = split_requirement(line)
        assert name not in pip, f"{name} listed twice in environment.yml's pip section"
        pip[name] = spec
    return conda, pip, local


def test_environment_yml_lists_the_same_packages_as_pyproject(pyproject, environment):
    wanted = pyproject_requirements(pyproject)
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
