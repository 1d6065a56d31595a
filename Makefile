# The tasks CI and developers run. `make test` is the whole suite: type check, drift gate, unit, golden,
# promtool/amtool/Sloth/pint suites and the live end-to-end run on Prometheus 3 and Prometheus 2.
.PHONY: generate check test unit e2e e2e-3 e2e-2 bench tools typecheck build

generate:
	npm run generate

check:
	npm run check

# The judges: pinned Go builds in .tools/bin (reused once built) and Debian's Prometheus 2.42.
tools:
	./scripts/ensure-tools.sh

typecheck:
	npx tsc --noEmit

# The compiled package (dist/): what the bin, the packaging test and the installed-CLI benchmarks run.
build:
	npm run build

unit: tools
	npx vitest run

# The live loop on both Prometheus majors at once: it mostly waits on alert timers, so two runs share the
# cores well. The Prometheus 2 run's output follows the Prometheus 3 run's.
e2e: tools
	@log=$$(mktemp); \
	npm run e2e -- --prometheus 2 >"$$log" 2>&1 & two=$$!; \
	status=0; npm run e2e -- --prometheus 3 || status=1; \
	wait $$two || status=1; \
	echo; echo "=== the live loop on Prometheus 2 ==="; cat "$$log"; rm -f "$$log"; \
	exit $$status

e2e-3: tools
	npm run e2e -- --prometheus 3

e2e-2: tools
	npm run e2e -- --prometheus 2

test: tools typecheck build
	npm run generate -- --check
	npx vitest run
	$(MAKE) --no-print-directory e2e

bench: tools
	npm run bench
