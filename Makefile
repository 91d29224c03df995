# The two set-up commands of the README quickstart: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test install docs lint clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,web]'
	touch $(STAMP)

install: $(STAMP)

## make demo: install, write the synthetic demo study and run the whole pipeline on it
demo: $(STAMP)
	$(BIN)/peerimpact demo --out demo-output --force
	@echo "Demo study: demo-output/study   Report: demo-output/report/report.html (and report.docx)"

## make test: install with test extras and run the whole suite
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make docs: regenerate every generated document (docs/generate.py lists them;
## tests/test_generated_docs.py fails when one drifts)
docs: $(STAMP)
	$(BIN)/python docs/generate.py

## make lint: ruff (E, F, B, I, C90 at complexity 15) and mypy, as configured in pyproject.toml
lint: $(STAMP)
	$(BIN)/ruff check src tests bench docs/generate.py
	$(BIN)/mypy

clean:
	rm -rf $(VENV) demo-output .pytest_cache
