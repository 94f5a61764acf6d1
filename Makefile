# The two commands of the README:
#   make run   — set up, build (release) and run the default scenario into reports/quickstart/
#   make test  — set up, build and run the whole test suite
SWIFT ?= swift

.PHONY: setup setup-tests run test test-debug test-cluster build release clean

# On an x86-64 machine with AVX2 and FMA, code for that instruction set (x86-64-v3, "haswell"):
# a SIMD4<Double> operation is then one instruction instead of two (auctionnet-shape +15–19%,
# docs/performance.md). Outputs do not depend on it: Swift never fuses a multiply and an add
# unless asked, so every operation rounds the same way (checked: byte-identical metrics).
CPU_FLAGS := $(shell [ "$$(uname -m)" = x86_64 ] && grep -qw avx2 /proc/cpuinfo 2>/dev/null \
	&& grep -qw fma /proc/cpuinfo && echo "-Xswiftc -target-cpu -Xswiftc haswell")

setup:
	@bash scripts/setup.sh

setup-tests:
	@bash scripts/setup.sh --tests

release: setup
	$(SWIFT) build -c release $(CPU_FLAGS) --product fairground

run: release
	.build/release/fairground

# Tests are built optimised (with testing enabled for @testable imports): they train small
# networks and run whole marketplaces, and one build serves both the suite and the CLI it calls.
TEST_FLAGS = -c release -Xswiftc -enable-testing $(CPU_FLAGS)

build: setup-tests
	$(SWIFT) build $(TEST_FLAGS) --build-tests

test: build
	$(SWIFT) test $(TEST_FLAGS) --skip-build --disable-xctest
	@$(MAKE) --no-print-directory test-debug

# The simulation suites once more in a debug build (.build/debug): bounds checks on the tuned
# kernel's unsafe buffers and exclusivity checks on, so an out-of-range access fails a test
# instead of corrupting a result. About 4 minutes on 2 cores (the autobidding and churn paths run
# here through the DifferentialTests variant; AdvertiserBehaviourTests only in the release pass).
DEBUG_SUITES = DifferentialTests|CustomRankerTests|SimulationTests|FairnessTests|ExplorerMarketTests|MetaRankerTests|CohortBlockTests|FastPathTests|AdgroupTests|LearnedConversionTests

test-debug: setup-tests
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest --filter '$(DEBUG_SUITES)'

# A real one-node Slurm cluster (munge, slurmctld, slurmd; installed if missing, needs root):
# deploy/slurm-sweep.sh as a job array over a shrunk sweep, one task requeued mid-run, the merge
# after it, checked byte for byte against an unsharded run. About 1–2 minutes; .ci/run calls it.
test-cluster: build
	bash scripts/test-cluster.sh

clean:
	rm -rf .build
