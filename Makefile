# Pacte PME portal. `make run` serves the portal, `make test` runs every check.
# DATABASE_URL / REDIS_URL: the given services, or embedded ones kept under .local/.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH ?=

export PYTHONDONTWRITEBYTECODE := 1
# The settings default to production (DEBUG off, SECRET_KEY required); make is the developer's
# tool, so its targets run in development mode unless DEBUG is given.
export DEBUG ?= 1

.PHONY: demo-code run test lint bench install messages stop reset-local clean compose-check

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[embedded,dev]'
	touch $(STAMP)

install: $(STAMP)

messages: $(STAMP)
	@if command -v msgfmt >/dev/null 2>&1; then $(PY) manage.py compilemessages --ignore=.venv --ignore=.local -v 0; \
	else echo "msgfmt not found: using the compiled messages committed in locale/"; fi

run: $(STAMP) messages
	$(PY) -m pacte.dev

test: $(STAMP) messages
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium and chromium-driver for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }
	@command -v pdftoppm >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null || true
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --check --quiet
	$(VENV)/bin/djlint templates --lint --quiet
	$(PY) manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-but-long-enough-for-django ALLOWED_HOSTS=pacte.example \
		CSRF_TRUSTED_ORIGINS=https://pacte.example $(PY) manage.py check --deploy --fail-level WARNING
	$(VENV)/bin/pytest

demo-code: $(STAMP)
	@DEBUG=1 $(PY) manage.py demo_totp

lint: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djlint templates --reformat --quiet || true

bench: $(STAMP)
	$(PY) -m bench $(BENCH)

# `docker compose config` when Docker's compose is installed; otherwise a check of the YAML and of
# its references (services, volumes, one beat, the proxy's body limit) in Python.
compose-check:
	@if docker compose version >/dev/null 2>&1; then \
		SECRET_KEY=check POSTGRES_PASSWORD=check docker compose config --quiet; \
	elif command -v docker-compose >/dev/null 2>&1; then \
		SECRET_KEY=check POSTGRES_PASSWORD=check docker-compose config --quiet; \
	else \
		echo "docker compose not found: checking docker-compose.yml with deploy/compose_check.py"; \
		$(PY) deploy/compose_check.py docker-compose.yml; \
	fi && echo "docker-compose.yml is valid"

stop:
	@test -x $(PY) && $(PY) -m pacte.embedded stop || true

reset-local: stop
	rm -rf .local

clean: reset-local
	rm -rf $(VENV)
