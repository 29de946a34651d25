# Two commands for a new user: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
FLASK  := $(VENV)/bin/flask --app wsgi
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test test-fast install install-test translations i18n-extract lint bench clean browser oidc-provider slapd

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

install: $(STAMP) translations

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(PIP) install --quiet -e '.[test]'
	touch $@

install-test: install $(TEST_STAMP) browser oidc-provider slapd

# The real OpenID provider the sign-in tests start (the oidc-provider package on Node), from the committed lock file.
OIDC_PROVIDER := tests/accounts/oidc_provider
oidc-provider: $(OIDC_PROVIDER)/node_modules/.package-lock.json
$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the sign-in tests (apt-get install nodejs npm)"; exit 1; }
	cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error

# Debian's Chromium: Playwright cannot download its own browser on these machines.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) >/dev/null \
	  || { echo "could not install chromium (run as root, or: sudo apt-get install chromium fonts-dejavu-core)"; exit 1; }; \
	fi

# Debian's OpenLDAP server: the directory sync tests start their own on a free port (never the system's service).
slapd:
	@if [ ! -x /usr/sbin/slapd ]; then \
	  echo "installing Debian slapd for the directory sync tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils) >/dev/null \
	  || { echo "could not install slapd (run as root, or: sudo apt-get install slapd ldap-utils)"; exit 1; }; \
	fi

# Compiled catalogs are build products: made from the committed .po files at install.
translations: $(STAMP)
	$(VENV)/bin/pybabel compile -d portal/translations

i18n-extract: $(STAMP)
	$(VENV)/bin/pybabel extract --ignore-dirs=".* __pycache__ .venv" -F portal/translations/babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 \
	  --no-location --sort-output -o portal/translations/messages.pot .
	$(VENV)/bin/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching

# The embedded mode: SQLite in instance/, demo data, web server and jobs process; Ctrl-C stops both.
run: install
	mkdir -p instance
	$(FLASK) db upgrade heads
	$(FLASK) demo load
	@echo "Portal on http://127.0.0.1:5000 – demo accounts in README.md – Ctrl-C to stop"
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) -m jobs & \
	  $(FLASK) run --host 127.0.0.1 --port 5000

# Static checks first (a finding fails the build), then the whole suite on SQLite, then on PostgreSQL when
# TEST_DATABASE_URL is set.
test: install-test lint
	TEST_DATABASE_URL= $(PY) -m pytest -p no:cacheprovider
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "=== again on PostgreSQL ($$TEST_DATABASE_URL) ==="; \
	  $(PY) -m pytest -p no:cacheprovider; \
	fi

# The edit-test loop: everything but the browser tests, on SQLite (about a minute); `make test` stays the suite.
test-fast: install-test
	TEST_DATABASE_URL= $(PY) -m pytest -p no:cacheprovider -q --ignore=tests/e2e

# Load benchmark at full scale on SQLite, then PostgreSQL; results appended to BENCHMARKS.md.
BENCH_SQLITE := sqlite:///$(CURDIR)/instance/bench.db
BENCH_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench
bench: install-test
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	mkdir -p instance
	DATABASE_URL=$(BENCH_SQLITE) $(PY) -m bench.generate --fresh
	DATABASE_URL=$(BENCH_SQLITE) $(PY) -m bench.load --write
	DATABASE_URL=$(BENCH_POSTGRES) $(PY) -m bench.generate --fresh
	DATABASE_URL=$(BENCH_POSTGRES) $(PY) -m bench.load --write

# ruff (style, bugs, its S security rules), mypy on portal/ and bandit (all configured in pyproject.toml). bench/
# starts throwaway servers with fixed commands, secrets and seeds on this machine: the same checks ruff waives there
# are skipped.
BANDIT := $(VENV)/bin/bandit -c pyproject.toml --quiet
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy portal
	$(BANDIT) -r portal jobs wsgi.py
	$(BANDIT) -r bench --skip B105,B311,B404,B603,B607

clean:
	rm -rf $(VENV) instance/portal.db* .pytest_cache
