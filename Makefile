# mitsu — build, test, sanitize, fuzz.
#   make            build ./mitsu
#   make test       unit + network tests; ends with "N passed, N failed"
#   make asan       ASan+UBSan build in build-asan/ (and its unit tests)
#   make fuzz       each libFuzzer harness for FUZZ_SECONDS (default 20)
#   make bench      benchmarks (need root for namespaces)
CC      ?= cc
WERROR  ?=
CFLAGS  ?= -O2 -g
override CFLAGS += -std=gnu11 -Wall -Wextra $(WERROR) -D_GNU_SOURCE -Isrc -pthread
LDLIBS  += -lpcap -lsqlite3 -lcrypto -lpcre2-8 -lz -lm -pthread
LDLIBS  += -lmicrohttpd -lcrypt -lmaxminddb -lcurl -lnats
BUILD   ?= build

SRC_ALL := $(shell find src -name '*.c' | sort)
SRC_LIB := $(filter-out src/main.c src/cmd/%,$(SRC_ALL))
SRC_CMD := src/main.c $(filter src/cmd/%,$(SRC_ALL))
OBJ_LIB := $(SRC_LIB:%.c=$(BUILD)/%.o)
OBJ_CMD := $(SRC_CMD:%.c=$(BUILD)/%.o)
# The dashboard's UI (web/) embedded as C, generated into the build folder.
WEB_ASSETS := $(sort $(wildcard web/*.html web/*.js web/*.css web/*.svg))
OBJ_LIB += $(BUILD)/gen/web_assets.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

all: mitsu

mitsu: $(BUILD)/mitsu
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/mitsu: $(OBJ_CMD) $(BUILD)/libmitsu.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libmitsu.a: $(OBJ_LIB)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/gen/web_assets.c: $(WEB_ASSETS) tools/embed.sh
	@mkdir -p $(dir $@)
	tools/embed.sh $@ $(WEB_ASSETS)

$(BUILD)/gen/web_assets.o: $(BUILD)/gen/web_assets.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmitsu.a tests/unit/t.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libmitsu.a $(LDLIBS)

units: $(UNIT_BIN)

test: mitsu units
	tests/run-all.sh $(BUILD)

test-unit: mitsu units
	tests/run-all.sh $(BUILD) unit

asan:
	$(MAKE) BUILD=build-asan CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" build-asan/mitsu units
	tests/run-all.sh build-asan unit

FUZZ_SECONDS ?= 20
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined

# FORCE: relink when the library changed, not only the harness.
build-fuzz/%: tests/fuzz/%.c FORCE
	$(MAKE) BUILD=build-fuzz CC=clang CFLAGS="$(FUZZ_CFLAGS)" build-fuzz/libmitsu.a
	clang -std=gnu11 -D_GNU_SOURCE -Isrc -g -fsanitize=fuzzer,address,undefined -o $@ $< build-fuzz/libmitsu.a $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: mitsu
	bench/run-all.sh

deps:
	tools/deps.sh

# The two commands of README.md: each installs what it needs first.
check: deps
	$(MAKE) mitsu units
	tests/run-all.sh $(BUILD)

demo: deps
	$(MAKE) mitsu
	tests/demo.sh

format:
	clang-format -i $(SRC_ALL) $(wildcard src/*/*.h) tests/unit/*.c tests/fuzz/*.c

clean:
	rm -rf build build-asan build-fuzz mitsu

FORCE:

.PHONY: FORCE deps check all test test-unit units asan fuzz fuzz-build bench demo format clean

-include $(OBJ_LIB:.o=.d) $(OBJ_CMD:.o=.d)
