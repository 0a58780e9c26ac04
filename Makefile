# The two commands: `make run` (install, migrate, demo data, serve with the scheduler) and
# `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export ARTICLE8_INSTANCE_DIR ?= $(CURDIR)/instance

.PHONY: run test lint translations clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "article8 needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/article8 db upgrade
	$(BIN)/article8 demo
	@echo ""
	@echo "  article8 is starting at http://$(HOST):$(PORT)/  — sign in with a demo login above."
	@echo ""
	$(BIN)/article8 serve --with-scheduler --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Re-extract the message catalogue, merge it into the Japanese catalogue, and compile both.
translations: $(VENV)/.installed-test
	$(BIN)/pybabel extract -w 100 -F babel.cfg -k _l -k N_ --no-location --sort-output --project article8 -o article8/translations/messages.pot article8
	$(BIN)/pybabel update -w 100 -i article8/translations/messages.pot -d article8/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d article8/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
