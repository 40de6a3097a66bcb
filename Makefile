# leadscore — the front door. `make help` lists the targets.
#
# Everything is built by CMake (CMakeLists.txt); this file only chooses the
# build directories and runs things in the right order:
#   build/        Release (-O2 -g), the program is build/leadscore
#   build-asan/   gcc, AddressSanitizer + UndefinedBehaviorSanitizer
#   build-fuzz/   clang, libFuzzer harnesses (fuzz/fuzz_*.c)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build
MAKEFLAGS += --no-print-directory

JOBS         ?= 2
FUZZ_SECONDS ?= 600
CMAKE        ?= cmake
CTEST        ?= ctest
CTEST_FLAGS  := --output-on-failure --no-tests=error -j$(JOBS)

MODEL        := examples/models/buying-cycle.yaml
DEMO_EVENTS  := examples/events/demo.jsonl
DEMO_PERSONS := 200
DEMO_SEED    := 20260101

.PHONY: help setup build web configure-asan configure-fuzz test test-release \
        test-asan test-fuzz demo demo-data bench bench-quick bench-store bench-rules bench-backtest fuzz clean

help: ## Show this help
	@echo "leadscore — make targets:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / \
	  { printf "  make %-12s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: JOBS=$(JOBS) (build/test parallelism), FUZZ_SECONDS=$(FUZZ_SECONDS) (per harness, make fuzz)"

setup: ## Install missing build/test packages (Debian; idempotent, quiet)
	@bash scripts/setup.sh

build: setup web ## Release build into build/ (program: build/leadscore) and the dashboard
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=Release
	$(CMAKE) --build build -j$(JOBS)

# The dashboard (web/): npm ci when the lockfile changed, esbuild into
# web/dist when a source did. `leadscore serve --web web/dist` serves it.
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/build.mjs

web: setup web/dist/index.html ## Build the dashboard into web/dist (npm ci + esbuild)

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run --silent build

test: setup ## All checks: release, ASan+UBSan and fuzz-smoke builds, each with ctest
	@failed=(); \
	for suite in test-release test-asan test-fuzz; do \
	  echo "==== $$suite ===="; \
	  start=$$(date +%s); \
	  if $(MAKE) $$suite; then status=ok; else status=FAILED; failed+=("$$suite"); fi; \
	  echo "==== $$suite: $$status in $$(( $$(date +%s) - start ))s ===="; \
	done; \
	if (( $${#failed[@]} )); then \
	  echo "make test: FAILED: $${failed[*]}" >&2; exit 1; \
	fi; \
	echo "make test: all passed"

test-release: build ## Release build + its ctests
	$(CTEST) --test-dir build $(CTEST_FLAGS)

configure-asan:
	$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DLS_SANITIZE=ON

test-asan: setup web configure-asan ## ASan+UBSan build in build-asan/ + its ctests
	$(CMAKE) --build build-asan -j$(JOBS)
	$(CTEST) --test-dir build-asan $(CTEST_FLAGS)

configure-fuzz:
	$(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=clang -DLS_FUZZ=ON

test-fuzz: setup configure-fuzz ## clang fuzz build in build-fuzz/ + the fuzz_smoke_* ctests
	$(CMAKE) --build build-fuzz -j$(JOBS)
	$(CTEST) --test-dir build-fuzz $(CTEST_FLAGS) -L '^fuzz$$'

demo: build ## Replay the shipped demo events and explain one hot lead
	@echo "== build/leadscore replay --model $(MODEL) $(DEMO_EVENTS)"
	@build/leadscore replay --model $(MODEL) $(DEMO_EVENTS) > build/demo-leads.csv
	@cat build/demo-leads.csv
	@# the hot lead with the highest score (else the highest score of all)
	@lead=$$(awk -F, 'NR > 1 && $$3 == "hot"' build/demo-leads.csv | sort -t, -k2,2nr | head -n1 | cut -d, -f1); \
	if [[ -z "$$lead" ]]; then \
	  lead=$$(awk -F, 'NR > 1' build/demo-leads.csv | sort -t, -k2,2nr | head -n1 | cut -d, -f1); \
	fi; \
	echo; \
	echo "== build/leadscore explain --model $(MODEL) $$lead $(DEMO_EVENTS)"; \
	build/leadscore explain --model $(MODEL) "$$lead" $(DEMO_EVENTS) 2> build/demo-explain.err \
	  || { cat build/demo-explain.err >&2; exit 1; }

demo-data: build ## Regenerate examples/events/demo.jsonl with bench/gen (committed file)
	@mkdir -p $(dir $(DEMO_EVENTS))
	build/bench/gen --persons $(DEMO_PERSONS) --seed $(DEMO_SEED) --out $(DEMO_EVENTS)
	@wc -l $(DEMO_EVENTS)

bench: build ## Benchmark replay on 100k and 1M generated persons (bench/run.sh)
	bash bench/run.sh

bench-quick: build ## Benchmark on 100k persons only
	bash bench/run.sh --quick

bench-store: build ## Benchmark the durable store (bench/store.sh)
	bash bench/store.sh

bench-rules: build ## Benchmark a 200-rule model against the reference (bench/rules.sh)
	bash bench/rules.sh

bench-backtest: build ## Benchmark a backtest of two models against one replay (bench/backtest.sh)
	bash bench/backtest.sh

fuzz: setup configure-fuzz ## Long local fuzzing: each harness FUZZ_SECONDS (default 600)
	$(CMAKE) --build build-fuzz -j$(JOBS) --target fuzzers
	@mkdir -p build-fuzz/fuzz/corpus build-fuzz/fuzz/artifacts
	@shopt -s nullglob; found=0; \
	for h in build-fuzz/fuzz/fuzz_*; do \
	  [[ -x "$$h" && -f "$$h" ]] || continue; found=1; \
	  name=$$(basename "$$h"); short=$${name#fuzz_}; \
	  corpus=build-fuzz/fuzz/corpus/$$short; mkdir -p "$$corpus"; \
	  dict=(); for d in fuzz/$$short.dict fuzz/$$name.dict; do \
	    [[ -f $$d ]] && { dict=(-dict=$$d); break; }; done; \
	  seeds=(); [[ -d fuzz/corpus/$$short ]] && seeds=(fuzz/corpus/$$short); \
	  echo "== $$name for $(FUZZ_SECONDS)s (corpus $$corpus)"; \
	  "$$h" -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 "$${dict[@]}" \
	    -artifact_prefix=build-fuzz/fuzz/artifacts/$$name- \
	    "$$corpus" "$${seeds[@]}"; \
	done; \
	(( found )) || { echo "make fuzz: no harness fuzz/fuzz_*.c" >&2; exit 1; }

clean: ## Remove build/, build-asan/, build-fuzz/ (keeps bench/data/)
	rm -rf build build-asan build-fuzz
