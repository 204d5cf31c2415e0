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
test: build asan
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS)

# The release build's suite only (quick iteration).
test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

clean:
	rm -rf $(BUILD) $(ASAN)
