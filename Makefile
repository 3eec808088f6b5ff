# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test test-pg test-setup check lock way-in demo screenshots install translations static messages db content serve stack nginx-conf logrotate-conf operator-check bench audit lint clean

# Dependencies come from the lock, uv.lock: exact versions with their hashes, for the app
# and for the tests (the `test` extra). uv itself, at the version pinned here, is installed
# from PyPI into the venv; it reads the lock and never downloads a Python of its own.
# --inexact leaves pip, uv and `make bench`'s profiler in place; --locked stops when
# pyproject.toml and the lock disagree (then `make lock`).
UV_VERSION := 0.13.9
UV := UV_PYTHON_DOWNLOADS=never $(BIN)/uv

$(STAMP): pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv==$(UV_VERSION)'
	$(UV) sync --quiet --locked --inexact --extra test --no-install-project
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Refresh the lock after a change to pyproject.toml's dependencies (the other pins stay);
# `make lock UPGRADE=1` moves every package to the newest release pyproject.toml allows.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv==$(UV_VERSION)'
	$(UV) lock $(if $(UPGRADE),--upgrade)

translations: $(STAMP)
	$(BIN)/pybabel compile -d translations --statistics

# Pre-compressed copies of the text static files (<file>.gz beside each; git ignores them),
# served by WhiteNoise without a proxy and by nginx's gzip_static behind one.
# -n: no name or time stamp inside, so an unchanged file gives the same bytes.
STATIC_DIR ?= webapp/static
STATIC_TEXT := $(shell find $(STATIC_DIR) -type f \( -name '*.css' -o -name '*.js' -o -name '*.svg' -o -name '*.json' -o -name '*.txt' -o -name '*.html' -o -name '*.xml' \))
static: $(STATIC_TEXT:=.gz)

$(STATIC_DIR)/%.gz: $(STATIC_DIR)/%
	gzip -9 -n -k -f $<

db: $(STAMP)
	$(FLASK) db upgrade

content: db
	$(FLASK) content load

# The outbox sender runs beside the web process and lives as long as it does:
# Ctrl-C stops both, and the sender also stops by itself once this shell is gone.
WITH_SENDER = $(FLASK) outbox run --stop-with-parent & sender=$$!; \
	trap 'kill $$sender 2>/dev/null; wait $$sender 2>/dev/null' EXIT INT TERM;

# What a newcomer needs first: where the site and the staff area are, how to get in.
way-in:
	@echo ""
	@echo "  The site:        http://$(HOST):$(PORT)/"
	@echo "  The staff area:  http://$(HOST):$(PORT)/admin/"
	@echo "  First staff account (asks for a password twice):"
	@echo "      $(FLASK) admin create you@example.org"
	@echo "  Or try it with made-up requests and a demo account: make demo"
	@echo ""

DEV_SERVER = $(WITH_SENDER) $(FLASK) run --host $(HOST) --port $(PORT)

run: translations static content way-in
	$(DEV_SERVER)

# Made-up help requests and a demo staff account (its password is printed), then as
# `make run`. Development only: `demo load` refuses without DEMO_ALLOWED and on anything
# but SQLite.
demo: translations static content
	@DEMO_ALLOWED=1 $(FLASK) demo load
	@$(MAKE) --no-print-directory -s way-in
	$(DEV_SERVER)

# The pictures in the README: a temporary demo instance photographed with Chromium.
screenshots: translations static
	$(BIN)/python docs/screenshots.py

# The Nu Html Checker for tests/test_html_valid.py (run with Java; its own Java download
# is skipped: --ignore-scripts).
VNU_JAR := tests/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): tests/vnu/package.json tests/vnu/package-lock.json | test-setup
	cd tests/vnu && npm ci --silent --no-audit --no-fund --ignore-scripts
	touch $@

# The Debian packages the suite drives: Chromium (browser tests), nginx (the tests that
# put it in front), Java and npm (the Nu Html Checker). Installed when run as root, else
# make stops at once with the command to run. .ci/run uses the same script.
TEST_PACKAGES ?= chromium nginx default-jre-headless npm dovecot-imapd
test-setup:
	@.ci/ensure $(TEST_PACKAGES)

# The suite runs in TEST_WORKERS processes (pytest-xdist; each test file stays in one
# process, so a module's server is started once). Exit status 5 (pytest found no test to
# run, e.g. PYTEST_ARGS='-k nothing') is reported and not counted as a failure.
TEST_WORKERS ?= auto
PYTEST = $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile
define run_pytest
$(1); status=$$?; if [ $$status -eq 5 ]; then echo "pytest: no test was selected"; status=0; fi; exit $$status
endef

test: test-setup translations static $(VNU_JAR)
	$(call run_pytest,$(PYTEST) $(PYTEST_ARGS))

# The inner loop: lint, then every test that needs neither a browser nor a server of its
# own (no Chromium, gunicorn, nginx, sender process or Java), the property tests with a
# tenth of their examples (HOSTILE_EXAMPLES=quick); no module starts a server here, so the
# tests are spread one by one (--dist load); under 90 s.
check: translations static
	$(BIN)/ruff check webapp tests deploy bench docs
	$(call run_pytest,HOSTILE_EXAMPLES=quick $(BIN)/python -m pytest -q -n $(TEST_WORKERS) \
	  --dist load -m "not browser and not server" $(PYTEST_ARGS))

# The suite on SQLite and on throw-away PostgreSQL databases: PG_TEST_DB (recreated each
# time) and one per pytest-xdist worker beside it (PG_TEST_DB_gw0, …; created when missing,
# emptied by the tests themselves).
PG_TEST_DB ?= webapp_test
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/$(PG_TEST_DB)
test-pg: test-setup translations static $(VNU_JAR)
	psql -h 127.0.0.1 -U postgres -d postgres -q -c 'DROP DATABASE IF EXISTS $(PG_TEST_DB)' -c 'CREATE DATABASE $(PG_TEST_DB)'
	$(call run_pytest,TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST) $(PYTEST_ARGS))

# Production server: gunicorn.conf.py reads HOST, PORT, GUNICORN_WORKERS, GUNICORN_THREADS.
# Set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 to share rate limits between workers
# (with memory:// and several workers gunicorn warns at start-up).
# It refuses to start without the operator's real details in instance/operator.toml.
serve: operator-check translations static content
	$(WITH_SENDER) OPERATOR_REQUIRED=1 HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The production setup on one machine, in the foreground: nginx (deploy/nginx/wir.conf.in)
# on PORT (8080 here) in front of APP_INSTANCES (2) gunicorn instances, and the outbox
# sender; Ctrl-C stops all of it. Installs Debian's nginx when missing (.ci/ensure).
STACK_PORT = $(if $(filter file,$(origin PORT)),8080,$(PORT))
stack: translations static
	PORT=$(STACK_PORT) HOST=$(HOST) $(BIN)/python -m deploy.stack

# Render the production example deploy/nginx/wir.conf from deploy/nginx/wir.conf.in.
nginx-conf: $(STAMP)
	$(BIN)/python -m deploy.nginx_config

# The example logrotate rule for nginx's access log, kept privacy.server_log_days days.
logrotate-conf: $(STAMP)
	$(BIN)/python -m deploy.logrotate

operator-check: $(STAMP)
	$(FLASK) operator check

$(VENV)/.bench: $(STAMP)
	$(UV) sync --quiet --locked --inexact --extra test --extra bench --no-install-project
	touch $@

# Loopback load test with wrk (Debian package); writes bench/RESULTS.md.
bench: translations $(VENV)/.bench
	$(BIN)/python bench/run.py

# Extract the strings, start a catalog for any language in LANGUAGES that has none yet
# (pybabel init writes its Plural-Forms), update all of them, fill English from the msgids.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-by-file --omit-header .
	for lang in $$($(BIN)/python -c 'from webapp.config import Defaults; print(*Defaults.LANGUAGES)'); do \
	  test -f translations/$$lang/LC_MESSAGES/messages.po || $(BIN)/pybabel init -i translations/messages.pot -d translations -l $$lang; \
	done
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python translations/fill_en.py translations/en/LC_MESSAGES/messages.po

lint: $(STAMP)
	$(BIN)/ruff check webapp tests deploy bench docs

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/*.mo

bench/node_modules/.bin/lighthouse: bench/package.json bench/package-lock.json
	cd bench && npm ci --silent --no-audit --no-fund
	touch $@

audit: translations static bench/node_modules/.bin/lighthouse
	$(BIN)/python bench/audit.py
