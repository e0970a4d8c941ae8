# zgcfund — two commands for a new user:
#   make run    set up .venv, migrate, load the 2025 programme, serve on http://127.0.0.1:8000/
#   make test   set up .venv and the Debian packages the browser tests need, run pytest
#
# The install step is stamped (.venv/.installed): it runs again only when
# pyproject.toml or constraints.txt changes, or after `make clean`.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MANAGE := $(PY) manage.py
ADDR ?= 127.0.0.1:8000
# Debian packages: CJK fonts, libmagic (uploads checked by content), Pango/HarfBuzz (WeasyPrint PDFs);
# the tests add Chromium.
RUN_APT_PACKAGES := fonts-noto-cjk libmagic1 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_APT_PACKAGES := $(RUN_APT_PACKAGES) chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint bench bench-ranking bench-implementation guide install system-packages clean

# The demo runs the 2025 programme as it was on DEMO_DATE (the programme clock; see README).
DEMO_DATE ?= 2026-07-20
RUN_ENV := ZGCFUND_CLOCK_DATE=$(DEMO_DATE)

run: $(STAMP)
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES='$(RUN_APT_PACKAGES)'
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) load_programme
	@echo ""
	$(RUN_ENV) $(MANAGE) load_demo --print-logins
	@echo "  zgcfund: http://$(ADDR)/   (programme clock: $(DEMO_DATE); Ctrl-C stops the server)"
	@echo ""
	@echo "  E-mails (password reset, invitations) are printed here in the console."
	@echo ""
	$(RUN_ENV) $(MANAGE) runserver $(ADDR)

test: $(STAMP)
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES='$(TEST_APT_PACKAGES)'
	$(VENV)/bin/pytest $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

# Regenerate the applicant and office guides' screenshots (docs/guide/images/) from the browser tests.
guide: $(STAMP)
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES='$(TEST_APT_PACKAGES)'
	ZGCFUND_GUIDE_IMAGES=1 $(VENV)/bin/pytest -q -m browser tests/browser

# Benchmarks (by hand; numbers go to benchmarks/results/ and the issue notes).
bench: $(STAMP)
	$(PY) benchmarks/engine.py

bench-ranking: $(STAMP)
	$(PY) benchmarks/ranking.py

bench-implementation: $(STAMP)
	$(PY) benchmarks/implementation.py

install: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed; installing Debian's python3-venv"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install --disable-pip-version-check -q -c constraints.txt -e '.[test]'
	@touch $@

# Installs whichever of $(APT_PACKAGES) are missing (Chromium is driven by Playwright, never `playwright install`).
APT_PACKAGES ?= $(TEST_APT_PACKAGES)
system-packages:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg -s $$p 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

clean:
	rm -rf $(VENV) test-output
