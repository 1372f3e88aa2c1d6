# quoteqa task runner. `make run` serves the chat; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The CPU build of torch lies on this disk; a plain `pip install torch` would fetch a CUDA build.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
PIP := $(PY) -m pip install --quiet --disable-pip-version-check $(FIND_LINKS)

.PHONY: run check test lint bench train scale stores load burst hostile faults index browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) "torch==2.13.0"
	$(PIP) -e ".[dev]"
	touch $@

run: $(STAMP)
	$(PY) app.py

index: $(STAMP)
	$(PY) -m quoteqa build --corpus corpus --index index

# Headless Chromium for the end-to-end test, with Chinese and emoji fonts (Debian packages; needs root
# or sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; }

# The fast tier: lint, then every test that needs neither the real model nor the app (a stub
# model stands in; under 90 s). `make test` runs every test.
check: lint
	$(PY) -m pytest -q -m "not full"

test: $(STAMP) browser
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests app.py bench
	$(VENV)/bin/ruff format --check src tests app.py bench
	$(VENV)/bin/mypy

bench: $(STAMP)
	PYTHONPATH=bench $(PY) -m harness report

# The local store against the Milvus store (Milvus Lite): agreement on the development questions and
# claims, then build time and latency at 10k and 100k sentences; writes the stores section of
# BENCHMARKS.md (about 15 minutes on 2 cores).
stores: $(STAMP)
	PYTHONPATH=bench $(PY) -m harness stores

# Learn the question head, the ranker and the answerability model from the training halves of
# CMRC 2018 dev and DRCD test (../shared/benchmarks) and bench/sets/citizen_dev.jsonl; writes
# src/quoteqa/weights/: weights.json, weights.head.npy and weights.ranker.txt (about 1.5 minutes on 2 cores).
# TRAIN_OPTIONS: the trainer's options, e.g. --model DIR --out FILE for another embedding model.
train: $(STAMP)
	$(PY) -m quoteqa train -- $(TRAIN_OPTIONS)

# Synthetic archives of 10k, 100k and 1M sentences: full and incremental builds, latency, memory,
# recall@10 of the dense search (the FAISS inverted file above 200,000 sentences, exact below);
# writes the scale section of BENCHMARKS.md and docs/scale.png (about 1.5 h on 2 cores).
SCALE_WORK ?= /tmp/quoteqa-scale
scale: $(STAMP)
	PYTHONPATH=bench $(PY) -m harness scale run --keep --work $(SCALE_WORK) --json $(SCALE_WORK)/results.jsonl

# 20 clients for 60 s against a local app; writes the figures into BENCHMARKS.md.
load: $(STAMP)
	$(PY) bench/load_test.py --clients 20 --seconds 60 --write BENCHMARKS.md

# Attacks on a local app while a bystander asks: 10,000 abandoned requests from one address, then
# from 200; 2,000 drafts to the routes around the queue from 200; 1,100 half-open connections held
# for 30 s from one address, then from 1,100, under `ulimit -n 1024`. Writes the figures into
# BENCHMARKS.md (about 5 minutes).
burst: $(STAMP)
	$(PY) bench/burst.py --requests 10000 --write BENCHMARKS.md
	$(PY) bench/burst.py --requests 10000 --sources 200 --write BENCHMARKS.md
	$(PY) bench/burst.py --attack bypass --requests 2000 --sources 200 --write BENCHMARKS.md
	$(PY) bench/burst.py --attack half-open --requests 1100 --write BENCHMARKS.md
	$(PY) bench/burst.py --attack half-open --requests 1100 --sources 1100 --write BENCHMARKS.md

# Issue 39's costly inputs (rare characters, long histories, a 2,000-character draft): CPU per request
# and a bystander's latency while four run beside it; writes the hostile section of BENCHMARKS.md.
hostile: $(STAMP)
	PYTHONPATH=bench $(PY) bench/hostile.py --write BENCHMARKS.md

# 20 builds killed with SIGKILL at random moments; the previous index must always survive.
faults: $(STAMP)
	$(PY) bench/kill_builds.py --runs 20

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
