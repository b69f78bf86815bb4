# The two commands of README.md. Both need only python3 and make; everything else is installed here.
PY ?= python3

.PHONY: lab test venv site

venv:
	@$(PY) scripts/setup_venv.py $(VENV_ARGS)

## Open the course in JupyterLab (creates .venv on first use).
lab: VENV_ARGS =
lab: venv
	@bash scripts/lab.sh

## Run every test: unit, property, notebooks (nbval), desktop sketch pad and the real-browser tests.
test: VENV_ARGS = --extras test
test: venv
	@bash scripts/test.sh

## Build the course as a static website in _site/ from the saved notebooks (no kernel, no network).
site: VENV_ARGS =
site: venv
	@.venv/bin/python scripts/build_site.py
