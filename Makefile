# The two commands of the README:
#   make run   — set up, build (release) and run the default scenario into reports/quickstart/
#   make test  — set up, build and run the whole test suite
SWIFT ?= swift

.PHONY: setup setup-tests run test build release clean

setup:
	@bash scripts/setup.sh

setup-tests:
	@bash scripts/setup.sh --tests

release: setup
	$(SWIFT) build -c release --product fairground

run: release
	.build/release/fairground

build: setup-tests
	$(SWIFT) build --build-tests

test: build
	$(SWIFT) test --skip-build --disable-xctest

clean:
	rm -rf .build
