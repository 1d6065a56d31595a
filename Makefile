# The tasks CI and developers run. `make test` is the whole suite: type check, drift gate, unit, golden,
# promtool/amtool suites and the live end-to-end run.
.PHONY: generate check test unit e2e bench tools typecheck build

generate:
	npm run generate

check:
	npm run check

tools:
	./scripts/ensure-tools.sh

typecheck:
	npx tsc --noEmit

# The compiled package (dist/): what the bin, the packaging test and the installed-CLI benchmarks run.
build:
	npm run build

unit: tools
	npx vitest run

e2e: tools
	npm run e2e

test: tools typecheck build
	npm run generate -- --check
	npx vitest run
	npm run e2e

bench: tools
	npm run bench
