# NMR Delegation Pools — `make demo` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.installed
ANVIL := node_modules/.bin/anvil
# the delegators' web page, bundled by esbuild from web/src (npm run build)
WEB_APP := nmr_pools/web/static/app.js
# Debian's browser for the page tests (Playwright drives it; it cannot download its own)
CHROMIUM := /usr/bin/chromium
# ape-foundry starts anvil itself when it is on PATH
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
# hypothesis profile for the stateful suite: ci (default) or long
PROFILE ?= ci

.PHONY: env test test-fast test-anvil test-long demo bench clean help

help:
	@echo "make demo       deploy on the in-process chain and run a tournament season (writes out/demo/)"
	@echo "make test       the whole suite: in-process chain, then the integration tests on anvil"
	@echo "make test-long  the stateful suite with 10x more steps"
	@echo "make bench      gas (on anvil) and scoring benchmarks, written to bench/"

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $(STAMP)

$(ANVIL): package.json package-lock.json
	# `npm ci` refuses this lock file: npm records only this platform's optional anvil binary
	npm install --no-audit --no-fund
	touch $(ANVIL)

$(WEB_APP): $(ANVIL) $(wildcard web/src/*.js web/src/*/*.js)
	npm run build

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

env: $(STAMP) $(ANVIL) $(WEB_APP) $(CHROMIUM)

test: env
	NMR_POOLS_PROFILE=$(PROFILE) ape test tests -q -p no:cacheprovider --durations=10
	$(MAKE) test-anvil

# the end-to-end season and the settlement library again, on a real node (ape-foundry starts anvil);
# the fault and keyfile-wallet tests already ran above against anvil nodes they start themselves
test-anvil: env
	ape test tests/integration/test_season_e2e.py tests/integration/test_settlement.py -q -p no:cacheprovider \
		--network ethereum:local:foundry

test-fast: env
	NMR_POOLS_PROFILE=$(PROFILE) ape test tests -q -x

# the long profile (100 histories x 80 steps, 10x ci) as two halves with different seeds, one per core
test-long: env
	NMR_POOLS_PROFILE=long NMR_POOLS_EXAMPLES=50 ape test tests/stateful -q -p no:cacheprovider --hypothesis-seed=1 & \
	first=$$!; \
	NMR_POOLS_PROFILE=long NMR_POOLS_EXAMPLES=50 ape test tests/stateful -q -p no:cacheprovider --hypothesis-seed=2; \
	second=$$?; wait $$first; first=$$?; exit $$(( first || second ))

demo: env
	ape run demo --verbosity WARNING

bench: env
	ape run bench_gas --network ethereum:local:foundry
	ape run bench_settle --network ethereum:local:foundry
	python bench/bench_scoring.py

clean:
	rm -rf .build out .hypothesis
