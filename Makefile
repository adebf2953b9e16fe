# ficsift — the commands a newcomer needs: `make run` and `make test`.
# Each target sets up what it needs itself (virtualenv in .venv, packages from PyPI).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= ../shared
PYTEST_ARGS ?=

.PHONY: install run test lint bench eval clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The main job on the embedded default library: a walkthrough that fills an empty library
# with the shared corpus's stories, then shows what is in it.
run: install
	@$(BIN)/ficsift --help
	@$(BIN)/python scripts/walkthrough.py --shared $(SHARED)

lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy

test: install lint
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: install
	$(BIN)/python scripts/bench_ingest.py --shared $(SHARED)
	$(BIN)/python scripts/bench_semantic.py --shared $(SHARED)

eval: install
	$(BIN)/python scripts/eval_read.py --shared $(SHARED)
	$(BIN)/python scripts/eval_understand.py --shared $(SHARED)
	$(BIN)/python scripts/eval_content.py --shared $(SHARED)
	$(BIN)/python scripts/eval_tropes.py --shared $(SHARED)
	$(BIN)/python scripts/eval_semantic.py --shared $(SHARED)
	$(BIN)/python scripts/eval_quality.py --shared $(SHARED)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache test-artefacts .bench .eval
