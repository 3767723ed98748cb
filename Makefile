# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
SPECTRAL := tests/tools/spectral

.PHONY: run serve test test-fast system-deps dataset vendor translations check-data lighthouse

run: $(VENV)/.runtime  ## serve the map with the demo data on http://127.0.0.1:5000
	$(BIN)/flask --app app layers check
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app seed --if-empty
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

serve: $(VENV)/.runtime  ## the production server (gunicorn; settings from the environment, see gunicorn.conf.py and README)
	$(BIN)/flask --app app layers check
	$(BIN)/flask --app app db upgrade
	AUTO_MIGRATE=0 $(BIN)/gunicorn --config gunicorn.conf.py "app:create_app()"

test: $(VENV)/.dev system-deps $(SPECTRAL)/node_modules/.installed  ## the whole suite, browser tests included
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.dev $(SPECTRAL)/node_modules/.installed  ## everything but the browser tests
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

system-deps:  ## Debian packages the tests need (Chromium, a CJK font, PostgreSQL with PostGIS, GDAL, QGIS, Node.js and npm)
	scripts/install_system_deps.sh

# Spectral, the OpenAPI linter of tests/webmap/api/test_openapi_spectral.py, as its lock file pins it;
# installed again only when node_modules is missing or the lock changed. No install scripts: it needs none (the one
# there, @scarf/scarf's, would only report the download to its authors).
$(SPECTRAL)/node_modules/.installed: $(SPECTRAL)/package-lock.json | system-deps
	npm ci --prefix $(SPECTRAL) --no-audit --no-fund --ignore-scripts
	touch $@

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

dataset: $(VENV)/.runtime  ## regenerate data/shapefiles from data/sources
	$(BIN)/python data/build_dataset.py

vendor: $(VENV)/.dev  ## re-vendor the pinned web assets from the npm registry
	$(BIN)/python scripts/vendor_assets.py

lighthouse: $(VENV)/.dev  ## mobile Lighthouse on /, /issues and /field/ of a fresh demo instance (a bench, not a test)
	PYTHON=$(BIN)/python bench/lighthouse.sh

translations: $(VENV)/.runtime  ## extract messages, merge them into each .po, compile
	$(BIN)/python scripts/update_translations.py

check-data: $(VENV)/.runtime
	$(BIN)/flask --app app layers check
