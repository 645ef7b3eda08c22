# The one test command is `make test`; `.ci/run` calls it and nothing else.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-sidecar

.PHONY: test lint demo clean

# uv (when installed) builds the venv in seconds; pip is the fallback (or force it: make USE_PIP=1 ...)
UV := $(if $(USE_PIP),,$(shell command -v uv 2>/dev/null))

$(STAMP): pyproject.toml setup.py
ifneq ($(UV),)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	VIRTUAL_ENV=$(abspath $(VENV)) $(UV) pip install --quiet -e ".[sidecar,postgres,test]"
else
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[sidecar,postgres,test]"
endif
	touch $(STAMP)

# The demo needs the sidecar only: no test tools, no PostgreSQL driver.
$(DEMO_STAMP): pyproject.toml setup.py
ifneq ($(UV),)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	VIRTUAL_ENV=$(abspath $(VENV)) $(UV) pip install --quiet -e ".[sidecar]"
else
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[sidecar]"
endif
	touch $(DEMO_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

demo: $(DEMO_STAMP)
	$(BIN)/revops-sidecar demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
