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

# Tests are built optimised (with testing enabled for @testable imports): they train small
# networks and run whole marketplaces, and one build serves both the suite and the CLI it calls.
TEST_FLAGS = -c release -Xswiftc -enable-testing

build: setup-tests
	$(SWIFT) build $(TEST_FLAGS) --build-tests

test: build
	$(SWIFT) test $(TEST_FLAGS) --skip-build --disable-xctest

clean:
	rm -rf .build
