# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test install translations messages db content serve bench audit lint clean

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
