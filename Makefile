# The two commands of the README: `make run` and `make test`. Both install
# what is missing (scripts/deps.sh), configure and build.
BUILD ?= build
ASAN  ?= build-asan
JOBS  ?= $(shell nproc)
MODEL ?= models/fashion_cnn.onnx

.PHONY: all deps build run test test-fast asan clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	./$(BUILD)/chipfit $(MODEL)

asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DCHIPFIT_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j$(JOBS)

# The suite twice: the release build, then everything under ASan + UBSan.
# A test without its own limit gets 10 minutes: a hang fails that test
# instead of holding the whole run (all of them take seconds).
CTEST = ctest --output-on-failure -j$(JOBS) --timeout 600
test: build asan
	cd $(BUILD) && $(CTEST)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST)

# The release build's suite only (quick iteration).
test-fast: build
	cd $(BUILD) && $(CTEST)

clean:
	rm -rf $(BUILD) $(ASAN)
