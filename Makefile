# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test test-pg install translations messages db content serve bench audit lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d translations --statistics

db: $(STAMP)
	$(FLASK) db upgrade

content: db
	$(FLASK) content load

run: translations content
	$(FLASK) run --host $(HOST) --port $(PORT)

test: translations
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The suite on SQLite and on a throw-away PostgreSQL database (recreated each time).
PG_TEST_DB ?= webapp_test
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/$(PG_TEST_DB)
test-pg: translations
	psql -h 127.0.0.1 -U postgres -d postgres -q -c 'DROP DATABASE IF EXISTS $(PG_TEST_DB)' -c 'CREATE DATABASE $(PG_TEST_DB)'
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Production server: gunicorn.conf.py reads HOST, PORT, GUNICORN_WORKERS, GUNICORN_THREADS.
# Set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 to share rate limits between workers
# (with memory:// and several workers gunicorn warns at start-up).
serve: translations content
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

$(VENV)/.bench: $(STAMP)
	$(BIN)/python -m pip install --quiet 'pyinstrument>=5.0'
	touch $@

# Loopback load test with wrk (Debian package); writes bench/RESULTS.md.
bench: translations $(VENV)/.bench
	$(BIN)/python bench/run.py

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-by-file --omit-header .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python translations/fill_en.py translations/en/LC_MESSAGES/messages.po

lint: $(STAMP)
	$(BIN)/ruff check webapp tests bench

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/*.mo

bench/node_modules/.bin/lighthouse: bench/package.json bench/package-lock.json
	cd bench && npm ci --silent --no-audit --no-fund
	touch $@

audit: translations bench/node_modules/.bin/lighthouse
	$(BIN)/python bench/audit.py
