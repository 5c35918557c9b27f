# Two entry points for a fresh machine with Python 3.11 and pip: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test schemas clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/assure demo

test: setup
	$(BIN)/python -m pytest -n 2

schemas: setup
	$(BIN)/python -c "import json; from harness.goldens import json_schemas; [open(f'golden_sets/schema/{n}.schema.json', 'w').write(json.dumps(s, indent=2) + '\n') for n, s in json_schemas().items()]"

clean:
	rm -rf $(VENV) .assure
