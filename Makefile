# Developer shortcuts. The README's two commands are ./demo.sh and ./test.sh (no make needed).
.PHONY: setup demo test test-fast lint bench clean

VENV := .venv
STAMP := $(VENV)/.setup-stamp

$(STAMP): pyproject.toml scripts/setup.sh scripts/system-packages.txt
	bash scripts/setup.sh
	touch $(STAMP)

setup: $(STAMP)

demo:
	./demo.sh

test:
	./test.sh

# Unit tests only (seconds).
test-fast: $(STAMP)
	$(VENV)/bin/pytest -q tests/unit

lint: $(STAMP)
	$(VENV)/bin/ruff check vmwall tests bench
	$(VENV)/bin/ruff format --check vmwall tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(VENV)/bin/python bench/sim_farm.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
