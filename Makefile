# NMR Delegation Pools — `make demo` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.installed
ANVIL := node_modules/.bin/anvil
# the delegators' web page, bundled by esbuild from web/src (npm run build)
WEB_APP := nmr_pools/web/static/app.js
# Ape's compiled contracts (see the rule below)
COMPILED := .build/.compiled
# Debian's browser for the page tests (Playwright drives it; it cannot download its own)
CHROMIUM := /usr/bin/chromium
# ape-foundry starts anvil itself when it is on PATH
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
# hypothesis profile of the fuzzing suite: ci (default), long or smoke
PROFILE ?= ci
# every process a test run starts carries this tag; tests/processes.py fails the run if one outlives it
RUN_ID := $(shell date +%s%N)
FUZZ := python -m pytest tests/fuzz/test_pool_machine.py -q -p no:cacheprovider -p no:ape_test


.PHONY: env lint fuzz test test-suite-a test-suite-b test-suite-c test-fuzz-a test-fuzz-b test-fast test-anvil test-long mutants demo chain bench clean help

help:
	@echo "make demo       deploy on the in-process chain and run a tournament season (writes out/demo/)"
	@echo "make test       lint, then the whole suite: in-process chain, then the integration tests on anvil"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make fuzz       the fuzzing suite's ci profile alone on both cores (>= 25,000 steps)"
	@echo "make test-long  the fuzzing suite with 10x more histories (~280,000 steps)"
	@echo "make mutants    plant known bugs in a copy of the contracts; the fuzzer must catch each"
	@echo "make chain      the project's local chain (anvil on 127.0.0.1:8545, state kept in .chain/)"
	@echo "make bench      gas (on anvil) and scoring benchmarks, written to bench/"

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $(STAMP)

# `npm ci` installs exactly what package-lock.json pins (anvil 1.7.1, esbuild, and their binaries
# for every platform) and never rewrites the lock. Their postinstall scripts only fetch or check
# the platform binary that npm already installed, so package.json denies them (`allowScripts`).
$(ANVIL): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(ANVIL)

$(WEB_APP): $(ANVIL) $(wildcard web/src/*.js web/src/*/*.js)
	npm run build

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

env: $(STAMP) $(ANVIL) $(WEB_APP) $(CHROMIUM)

# Ape's build, redone whenever any contract changes: ape-vyper does not notice a change in the
# module `pool_ledger.vy` (it is not compiled on its own), and would keep stale pools
$(COMPILED): $(STAMP) $(wildcard contracts/*.vy)
	ape compile --force > /dev/null 2>&1 || ape compile --force
	touch $(COMPILED)

# lint first (seconds) and compile once (the parallel Ape runs share .build/); then the fuzzer's
# whole ci profile (two halves, two seeds), the suite in three parts and the node-level tests on
# anvil, six processes sharing the cores
test: env lint $(COMPILED)
	@NMR_POOLS_TEST_RUN=$(RUN_ID) $(MAKE) --no-print-directory -j6 --output-sync=target test-fuzz-a test-fuzz-b test-suite-a test-suite-c test-suite-b test-anvil; \
	status=$$?; python -m tests.processes --check $(RUN_ID) || status=1; exit $$status

# ruff's checks and formatting (configured in pyproject.toml)
lint: env
	ruff check .
	ruff format --check .

# histories per half of a profile: each half is one process with its own seed
HALF = $(if $(filter long,$(PROFILE)),800,$(if $(filter ci,$(PROFILE)),80,5))
test-fuzz-a: env
	NMR_POOLS_PROFILE=$(PROFILE) NMR_POOLS_EXAMPLES=$(HALF) $(FUZZ) --hypothesis-seed=1

test-fuzz-b: env
	NMR_POOLS_PROFILE=$(PROFILE) NMR_POOLS_EXAMPLES=$(HALF) $(FUZZ) --hypothesis-seed=2

# the whole ci profile (160 histories, ≥ 25,000 steps) as two halves, one per core
fuzz: env
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-fuzz-a test-fuzz-b

# everything but the fuzzing machine on the in-process chain, in two halves of about equal time
# (the anvil tests among them start their own nodes on free ports)
SUITE := ape test -q -p no:cacheprovider --durations=5
test-suite-a: env
	$(SUITE) tests/cli/test_settle.py tests/cli/test_safety_and_ownership.py tests/cli/test_wind_down_and_exit.py \
		tests/cli/test_signing.py tests/cli/test_environment.py

# the other CLI tests (every file of tests/cli is in one of the two lists)
test-suite-c: env
	$(SUITE) tests/cli/test_pools.py tests/cli/test_attest.py tests/cli/test_readable.py tests/cli/test_local_chain.py \
		tests/cli/test_history.py tests/cli/test_tables.py tests/cli/test_deploy.py

# (the end-to-end season runs once, on anvil: make test-anvil)
test-suite-b: env
	$(SUITE) tests/integration tests/web tests/readme tests/contracts tests/scoring tests/fuzz/test_deployment_parity.py tests/fuzz/test_fuzz_tools.py \
		--deselect tests/integration/test_season_e2e.py::test_season

# the end-to-end season and the settlement library again, on a real node (ape-foundry starts a
# throwaway anvil on a free port: APE_FOUNDRY_HOST=auto, so `make chain`'s node is never touched);
# the fault and keyfile-wallet tests already ran above against anvil nodes they start themselves
test-anvil: env
	APE_FOUNDRY_HOST=auto ape test tests/integration/test_season_e2e.py tests/integration/test_settlement.py -q -p no:cacheprovider \
		--network ethereum:local:foundry

test-fast: env
	NMR_POOLS_PROFILE=$(PROFILE) ape test tests -q -x

# the long profile (1,600 histories of up to 200 steps, 10x ci) as two halves, one per core
test-long: env
	@$(MAKE) --no-print-directory -j2 --output-sync=target PROFILE=long test-fuzz-a test-fuzz-b

# the mutation check: each planted bug in a temporary copy of the contracts must fail the fuzzer
mutants: env
	python -m tests.fuzz.mutants

demo: env $(COMPILED)
	ape run demo --verbosity WARNING

# the local chain of the README's walkthrough, in the foreground: Ctrl-C stops it and saves its state
# (it needs the venv and anvil only, not the web page's build or its browser)
chain: $(STAMP) $(ANVIL)
	ape pools node

bench: env $(COMPILED)
	APE_FOUNDRY_HOST=auto ape run bench_gas --network ethereum:local:foundry
	APE_FOUNDRY_HOST=auto ape run bench_settle --network ethereum:local:foundry
	python bench/bench_scoring.py

clean:
	rm -rf .build out .hypothesis
