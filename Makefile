# NetCanvas: `make run` starts the app, `make test` runs every check.
# Both create .venv on first use. torch is pinned here (not in pyproject) so the
# CPU wheel is used; users keep the range from pyproject.toml.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH_PIN := torch==2.13.0

.PHONY: run test lint bench fuzz docs screenshots clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet '$(TORCH_PIN)' -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy graph_engine gui

# Two workers share the cores; the tests that measure the event loop's delays run
# alone afterwards, so another worker's load cannot make them fail.
# The training kernel compiles once into numba's cache (about 10 s after it changed), here
# rather than in each worker at once.
test: lint
	$(PY) -c "from graph_engine.training.kernel import loading; loading.wait()"
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n 2 -m "not timing"
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m timing

bench: $(STAMP)
	$(PY) -m benchmarks.run

fuzz: $(STAMP)
	NETCANVAS_FUZZ_EXAMPLES=10000 $(PY) -m pytest -q tests/engine/model/test_fuzz_files.py tests/engine/core/test_formula_hostile.py \
		tests/engine/build/test_codegen_hostile.py tests/engine/model/test_saved_loads_again.py \
		tests/engine/classroom/test_fuzz_hand_ins.py
	QT_QPA_PLATFORM=offscreen NETCANVAS_UNDO_SEQUENCES=200 $(PY) -m pytest -q tests/gui/document/test_undo_fuzz.py
	QT_QPA_PLATFORM=offscreen NETCANVAS_FUZZ_EXAMPLES=2000 $(PY) -m pytest -q tests/gui/document/test_commands_save_and_load.py

docs: $(STAMP)
	$(PY) -m tools.make_docs

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m tools.make_screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
