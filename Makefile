# BrainFuse: two commands on a fresh machine -> `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Exact versions of everything `.[all,dev]` installs; pyproject.toml keeps the ranges.
# `make lock` rewrites it from the ranges; every install below takes its versions from it.
LOCK   := requirements/lock.txt
# The CPU build of PyTorch, installed first. x86_64: the 2.13.0 wheel on this machine kind's
# disk (a plain `torch` requirement would pull a multi-GB CUDA build from PyPI). aarch64:
# PyPI's 2.13.0 is a CUDA build there, its 2.9.1 a CPU one. The lock pins both, by marker.
TORCH_X86_64  := 2.13.0
TORCH_AARCH64 := 2.9.1
TORCH  ?= torch==$(if $(filter aarch64,$(shell uname -m)),$(TORCH_AARCH64),$(TORCH_X86_64))
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip install --quiet --constraint $(LOCK)

.PHONY: demo test test-slow lint format bench lock clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) "$(TORCH)"
	$(PIP) -e ".[all,dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/brainfuse demo -o demo-output

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Resolve the ranges afresh in a temporary venv (torch first, then everything) and write the
# freeze as the lock: canonical names, sorted, no local version labels (torch's "+cpu"); torch
# as two lines with platform markers (see TORCH), so one file serves x86_64 and aarch64.
# CUDA packages in the freeze stop it.
lock:
	@mkdir -p $(dir $(LOCK)); set -eu; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; py="$$tmp/venv/bin/python"; \
	$$py -m pip install --quiet --upgrade pip; \
	$$py -m pip install --quiet "$(TORCH)"; \
	$$py -m pip install --quiet ".[all,dev]"; \
	$$py -m pip freeze --all --exclude brainfuse > "$$tmp/freeze"; \
	if grep -v '==' "$$tmp/freeze"; then echo "lock: not an exact pin (above)" >&2; exit 1; fi; \
	have=$$(sed -nE 's/^torch==([^+]*).*/torch==\1/p' "$$tmp/freeze"); \
	if [ "$$have" != "$(TORCH)" ]; then echo "lock: got $$have, not $(TORCH)" >&2; exit 1; fi; \
	{ awk -F'==' '{ n = tolower($$1); gsub(/[-_.]+/, "-", n); v = $$2; sub(/\+.*/, "", v); \
		if (n != "torch") print n "==" v }' "$$tmp/freeze"; \
	  echo 'torch==$(TORCH_X86_64) ; platform_machine != "aarch64"'; \
	  echo 'torch==$(TORCH_AARCH64) ; platform_machine == "aarch64"'; \
	} | LC_ALL=C sort -t = -k 1,1 > "$$tmp/pins"; \
	if grep -E '^(nvidia-|triton|cuda-)' "$$tmp/pins"; then \
		echo "lock: CUDA packages (above): torch is not the CPU build" >&2; exit 1; fi; \
	{ echo "# Exact versions of BrainFuse's development environment (.[all,dev]), for"; \
	  echo "# 'pip install --constraint'. Written by 'make lock' from the ranges in"; \
	  echo "# pyproject.toml; do not edit by hand."; \
	  cat "$$tmp/pins"; } > $(LOCK); \
	echo "$(LOCK): $$(wc -l < "$$tmp/pins") pins"

clean:
	rm -rf $(VENV) demo-output build dist src/*.egg-info .pytest_cache .ruff_cache
