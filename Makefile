# The two commands of README.md (lab, test), a fast lane (check) and the lock refresh (lock).
# lab, test and check need only python3 and make; everything else is installed here, from requirements.lock.
PY ?= python3
# The lock's resolver (https://docs.astral.sh/uv/): pinned so that `make lock` gives the same file everywhere.
UV_VERSION = 0.13.9
LOCK = requirements.lock
# Every extra of pyproject.toml is locked (widgets, sketch, course, scale, teach, test): the venv is the same
# for `make lab` and `make test`, and holds all of them (tests/test_packaging.py checks this list).
LOCK_EXTRAS = --extra widgets --extra sketch --extra course --extra scale --extra teach --extra test

.PHONY: lab test check test-kernels lock site venv

venv:
	@$(PY) scripts/setup_venv.py

## Open the course in JupyterLab (creates .venv on first use).
lab: venv
	@bash scripts/lab.sh

## Run every test: unit, property, notebooks (nbval), desktop sketch pad and the real-browser tests.
test: venv
	@bash scripts/test.sh

## The fast lane: unit and property tests only (no notebooks, no browser, no desktop; under a minute), then
## mypy --strict over the engine modules ([tool.mypy] in pyproject.toml).
check: venv
	@.venv/bin/python -m pytest tests -m "not slow and not browser and not desktop" -q
	@.venv/bin/python -m mypy

## The numeric tests under every other OpenBLAS kernel this CPU can run (also the last step of `make test`).
test-kernels: venv
	@bash scripts/test_blas_kernels.sh

## Re-resolve requirements.lock from pyproject.toml (keeps the current pins where they still fit;
## `make lock UPGRADE=1` moves everything to the newest allowed versions). Then re-execute the notebooks:
## .venv/bin/python scripts/execute_notebooks.py
## uv goes to .cache/uv, not into .venv: the venv holds exactly the lock.
lock: venv
	@test -x .cache/uv/bin/uv && .cache/uv/bin/uv --version | grep -q " $(UV_VERSION)" || \
	    .venv/bin/python -m pip install --quiet --upgrade --target .cache/uv "uv==$(UV_VERSION)"
	@.cache/uv/bin/uv pip compile --quiet --no-python-downloads pyproject.toml $(LOCK_EXTRAS) --universal \
	    --python-version 3.10 \
	    --generate-hashes --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -o $(LOCK)
	@$(PY) scripts/setup_venv.py

## Build the course as a static website in _site/ from the saved notebooks (no kernel, no network).
site: venv
	@.venv/bin/python scripts/build_site.py

.PHONY: assignments grade

## Build the graded assignments of assignments/ into dist/NAME/ with otter-grader: the student edition to hand
## out, the instructor edition (solutions, every test) and the autograder (docs/TEACHING.md).
assignments: venv
	@.venv/bin/python scripts/make_assignments.py

## Grade every notebook in SUBMISSIONS=folder (otter, offline, no Docker): dist/grades.csv and dist/reports/.
grade: venv
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder-of-notebooks" >&2; exit 2; }
	@.venv/bin/python scripts/grade.py "$(SUBMISSIONS)"
