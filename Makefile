# The tasks CI and developers run. `make test` is the whole suite: type check, drift gate, unit, golden,
# promtool/amtool/Sloth/pint suites and the live end-to-end run on Prometheus 3 and Prometheus 2.
.PHONY: generate check test unit e2e e2e-3 e2e-2 e2e-clusters bench tools typecheck build

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

# The live loop on both Prometheus majors at once, and the multi-cluster loop (two cluster Prometheus
# servers under a global one) beside them: they mostly wait on alert timers, so the runs share the cores
# well. The other runs' output follows the Prometheus 3 run's.
e2e: tools
	@two=$$(mktemp); clusters=$$(mktemp); \
	npm run e2e -- --prometheus 2 >"$$two" 2>&1 & two_pid=$$!; \
	npm run e2e:clusters >"$$clusters" 2>&1 & clusters_pid=$$!; \
	status=0; npm run e2e -- --prometheus 3 || status=1; \
	wait $$two_pid || status=1; wait $$clusters_pid || status=1; \
	echo; echo "=== the live loop on Prometheus 2 ==="; cat "$$two"; \
	echo; echo "=== the multi-cluster live loop ==="; cat "$$clusters"; rm -f "$$two" "$$clusters"; \
	exit $$status

e2e-clusters: tools
	npm run e2e:clusters

e2e-3: tools
	npm run e2e -- --prometheus 3

e2e-2: tools
	npm run e2e -- --prometheus 2

test: tools typecheck build
	npm run generate -- --check
	npx vitest run
	$(MAKE) --no-print-directory e2e

bench: tools build
	npm run bench
