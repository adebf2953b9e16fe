# ficsift — the commands a newcomer needs: `make run` and `make test`.
# Each target sets up what it needs itself (virtualenv in .venv, packages from PyPI).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The shared real data (corpus, ontology) lives beside the checkout, in ../shared.  A clone of
# a local checkout made elsewhere (git clone /work/main /tmp/x) finds it beside its origin.
SHARED ?= $(shell if [ -d ../shared ]; then echo ../shared; \
	else origin=$$(git config --get remote.origin.url 2>/dev/null); \
	if [ -n "$$origin" ] && [ -d "$$origin/../shared" ]; then cd "$$origin/../shared" && pwd; \
	else echo ../shared; fi; fi)
PYTEST_ARGS ?=

.PHONY: install run browser calibre postgres test lint bench eval clean

# Byte-compile the package: an editable install writes no .pyc files where
# PYTHONDONTWRITEBYTECODE is set (as on this machine), and every command would compile its
# modules again (~0.16 s of a one-shot search).  Only changed files are compiled.
install: $(STAMP)
	@$(BIN)/python -m compileall -q src/ficsift >/dev/null

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,archive]'
	@touch $(STAMP)

# The main job: the web app on the embedded default library.  An empty library is filled
# from the shared corpus first (once; ~15 s on two cores); then `ficsift serve` prints its URL.
# SERVE_ARGS passes options through, e.g. make run SERVE_ARGS="--port 8080".
SERVE_ARGS ?=
run: install
	@if $(BIN)/python -c "import sys; from ficsift.library import open_library; sys.exit(0 if not open_library().rows(limit=1) else 1)"; then \
		echo "Empty library: importing $(SHARED)/corpus (once; about 15 s)…"; \
		$(BIN)/ficsift add $(SHARED)/corpus/antennapedia $(SHARED)/corpus/ao3-html $(SHARED)/corpus/ao3-listings-ds9 || true; \
	fi
	$(BIN)/ficsift serve $(SERVE_ARGS)

# The browser tests drive Debian's chromium; install it when it is missing.
browser:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
		else sudo apt-get update && sudo apt-get install -y chromium; fi; }

# tests/read/test_ebooks.py and `make eval` convert AO3-like downloads with calibre's
# ebook-convert (AO3's own pipeline); install Debian's calibre when it is missing (~1 min),
# with CJK fonts so PDFs of CJK works hold their text as AO3's do.
calibre:
	@command -v ebook-convert >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y calibre fonts-noto-cjk; \
		else sudo apt-get update && sudo apt-get install -y calibre fonts-noto-cjk; fi; }

# The PostgreSQL backend's tests need a running server: install Debian's postgresql when it is
# missing, start its cluster, and make a login role and a database for the tests.  Tests and
# benches find it at FICSIFT_TEST_POSTGRES; each test works in a schema of its own.
PG_URL ?= postgresql://ficsift:ficsift@localhost:5432/ficsift_test
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
AS_PG  := $(SUDO) runuser -u postgres --
postgres:
	@command -v pg_ctlcluster >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y postgresql; }
	@pg_lsclusters -h | awk '{print $$1, $$2, $$4}' | while read ver name status; do \
		[ "$$status" = online ] || $(SUDO) pg_ctlcluster $$ver $$name start; done
	@$(AS_PG) psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='ficsift'" | grep -q 1 || \
		$(AS_PG) psql -qc "CREATE ROLE ficsift LOGIN CREATEDB PASSWORD 'ficsift'"
	@$(AS_PG) psql -qtAc "SELECT 1 FROM pg_database WHERE datname='ficsift_test'" | grep -q 1 || \
		$(AS_PG) createdb -O ficsift ficsift_test

lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy

test: install lint browser calibre postgres
	FICSIFT_TEST_POSTGRES=$(PG_URL) FICSIFT_SHARED=$(abspath $(SHARED)) $(BIN)/python -m pytest -q $(PYTEST_ARGS)

# bench_scale.py: the cost curve at 10k and 100k works on SQLite.  The 1M point (about an hour
# on 2 cores, ~13 GB of disk) is outside `make bench`:
#   .venv/bin/python scripts/bench_scale.py --shared ../shared --full
# and --library 'postgresql://…' (repeatable; {size} in it is replaced) for another backend.
bench: install
	$(BIN)/python scripts/bench_ingest.py --shared $(SHARED)
	$(BIN)/python scripts/bench_understand.py --shared $(SHARED)
	$(BIN)/python scripts/bench_search.py --shared $(SHARED)
	$(BIN)/python scripts/bench_cli.py --shared $(SHARED)
	$(BIN)/python scripts/bench_semantic.py --shared $(SHARED)
	$(BIN)/python scripts/bench_web.py --shared $(SHARED)
	$(BIN)/python scripts/bench_bulk.py --shared $(SHARED)
	$(BIN)/python scripts/bench_scale.py --shared $(SHARED)

eval: install calibre
	$(BIN)/python scripts/make_ao3_conversions.py --shared $(SHARED) --out .eval/conversions
	$(BIN)/python scripts/eval_read.py --shared $(SHARED) --conversions .eval/conversions
	$(BIN)/python scripts/eval_understand.py --shared $(SHARED)
	$(BIN)/python scripts/eval_content.py --shared $(SHARED)
	$(BIN)/python scripts/eval_tropes.py --shared $(SHARED)
	$(BIN)/python scripts/eval_semantic.py --shared $(SHARED)
	$(BIN)/python scripts/eval_relevance.py --shared $(SHARED)
	$(BIN)/python scripts/eval_quality.py --shared $(SHARED)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache test-artefacts .bench .eval
