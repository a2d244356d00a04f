# ilonet - build, test and run. `make help` lists the targets.
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   ?= build
PKGS     = libuv libsodium sqlite3 msgpack

OPT      ?= -O2 -g
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# snprintf truncation is handled deliberately (bounded names); the GCC
# heuristic warns on every bounded copy, so it is off.
CFLAGS   += -std=c11 $(OPT) -Wall -Wextra -Wpedantic -Werror -Wno-format-truncation $(XCFLAGS)
# NNG 1.5.2 ships no pkg-config file.
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -luv -lsodium -lsqlite3 -lmsgpackc) -lnng -lpthread -lm

ifeq ($(V),1)
Q =
else
Q = @
endif

MODULES  = crypto storage replication node
LIB_SRC  = $(foreach m,$(MODULES),$(wildcard $(m)/*.c $(m)/*/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_SRC  = $(wildcard cmd/*.c)
CMD_OBJ  = $(CMD_SRC:%.c=$(BUILD)/%.o)
TEST_SRC = $(wildcard tests/test_*.c)
TEST_BIN = $(patsubst tests/%.c,$(BUILD)/tests/%,$(filter-out tests/test_runner.c,$(TEST_SRC)))
# Shared test support: the runner and any tests/*.c helper not named test_*.
TSUP_SRC = tests/test_runner.c $(filter-out tests/test_%.c,$(wildcard tests/*.c))
TSUP_OBJ = $(TSUP_SRC:%.c=$(BUILD)/%.o)
TOOL_SRC = $(wildcard tests/tools/*.c)
TOOL_BIN = $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))

.PHONY: all check unit asan tsan valgrind bench demo fuzz coverage lint format \
        install uninstall clean deps help soak
all: ilonet

help:
	@echo "targets: all check unit asan tsan valgrind bench demo soak fuzz lint format install clean deps"

deps:
	$(Q)sh scripts/deps.sh

ilonet: $(BUILD)/ilonet
	$(Q)cp $< $@

$(BUILD)/ilonet: $(CMD_OBJ) $(BUILD)/libilonet.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libilonet.a: $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/libtestsup.a: $(TSUP_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/%: tests/%.c $(BUILD)/tests/libtestsup.a $(BUILD)/libilonet.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libilonet.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(TSUP_OBJ:.o=.d)

# Shipped data embedded in the binary, generated into the build directory
# (never committed): the report template and the presidency rotation
# (node/report/), the regimes' vocabularies with the country and member
# tables (storage/view/vocab.c), and the web page's files (node/web/,
# served by node/http/). scripts/embed.sh turns each file into a C byte
# array.
EMBED_DATA = data/report-2005-687.tmpl data/presidencies.txt \
             data/vocab-377-2004.txt data/vocab-2019-1240.txt \
             data/countries.txt data/members.txt \
             node/web/index.html node/web/app.css node/web/app.js
$(BUILD)/gen/embed.c: $(EMBED_DATA) scripts/embed.sh
	@mkdir -p $(dir $@)
	@echo "  EMBED   $@"
	$(Q)sh scripts/embed.sh $@ report_data_template=data/report-2005-687.tmpl \
	    report_data_presidencies=data/presidencies.txt \
	    vocab_data_377_2004=data/vocab-377-2004.txt \
	    vocab_data_2019_1240=data/vocab-2019-1240.txt \
	    vocab_data_countries=data/countries.txt \
	    vocab_data_members=data/members.txt \
	    http_web_index=node/web/index.html http_web_css=node/web/app.css \
	    http_web_js=node/web/app.js
$(BUILD)/gen/embed.o: $(BUILD)/gen/embed.c
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/libilonet.a: $(BUILD)/gen/embed.o

# Unit, simulator and process tests against this build.
unit: $(BUILD)/ilonet $(TEST_BIN) $(TOOL_BIN)
	$(Q)ILONET_BIN=$(abspath $(BUILD)/ilonet) ILONET_TOOLS=$(abspath $(BUILD)/tools) \
	    sh tests/run.sh $(TEST_BIN)

# The whole suite, then again under ASan+UBSan. The last line is the total.
check: deps
	$(Q)rm -f build/test-total
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory asan
	$(Q)$(MAKE) --no-print-directory tsan-node
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)
	$(Q)sh tests/run.sh --total

asan:
	$(Q)$(MAKE) --no-print-directory unit BUILD=build-asan OPT="-O1 -g" \
	    XCFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined"

valgrind: $(BUILD)/ilonet $(TEST_BIN) $(TOOL_BIN)
	$(Q)ILONET_BIN=$(abspath $(BUILD)/ilonet) ILONET_TOOLS=$(abspath $(BUILD)/tools) \
	    VALGRIND_LOG_DIR=$(BUILD)/valgrind sh tests/valgrind.sh $(TEST_BIN)

# libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with clang against the
# whole library; each runs FUZZ_SECONDS over its committed seed corpus (new
# inputs go to a scratch folder, never into the repository).
FUZZ_SECONDS ?= 30
CHECK_FUZZ_SECONDS ?= 30
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN = $(patsubst tests/fuzz/%.c,build-fuzz/%,$(FUZZ_SRC))
FUZZ_FLAGS = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all

FUZZ_OBJ = $(LIB_SRC:%.c=build-fuzz/obj/%.o)

build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (fuzz)"
	$(Q)clang -std=c11 $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/obj/gen/embed.o: $(BUILD)/gen/embed.c
	@mkdir -p $(dir $@)
	$(Q)clang -std=c11 $(CPPFLAGS) $(FUZZ_FLAGS) -c -o $@ $<

build-fuzz/libilonet.a: $(FUZZ_OBJ) build-fuzz/obj/gen/embed.o
	$(Q)rm -f $@ && ar rcs $@ $^

build-fuzz/%: tests/fuzz/%.c build-fuzz/libilonet.a
	@echo "  FUZZ    $@"
	$(Q)clang -std=c11 $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< build-fuzz/libilonet.a $(LDLIBS)

fuzz: deps $(FUZZ_BIN)
	$(Q)for f in $(FUZZ_BIN); do n=$$(basename $$f | sed 's/^fuzz_//'); \
	    mkdir -p build-fuzz/new-$$n; \
	    echo "== $$f ($(FUZZ_SECONDS) s)"; \
	    ASAN_OPTIONS=quarantine_size_mb=16:detect_leaks=1 $$f -max_total_time=$(FUZZ_SECONDS) \
	        -rss_limit_mb=256 -malloc_limit_mb=64 -timeout=10 -print_final_stats=0 \
	        -artifact_prefix=build-fuzz/ build-fuzz/new-$$n tests/fuzz/corpus/$$n \
	        2>build-fuzz/$$n.log || { tail -30 build-fuzz/$$n.log; exit 1; }; \
	    grep -h "^Done" build-fuzz/$$n.log; done

bench: deps $(BUILD)/ilonet $(TOOL_BIN)
	$(Q)ILONET_BIN=$(abspath $(BUILD)/ilonet) ILONET_TOOLS=$(abspath $(BUILD)/tools) sh tests/bench.sh

demo: deps $(BUILD)/ilonet
	$(Q)$(BUILD)/ilonet demo --dir demo

lint:
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr -I. $(MODULES) cmd

format:
	$(Q)clang-format -i $(LIB_SRC) $(CMD_SRC) $(wildcard */*.h */*/*.h) $(TEST_SRC)

install: $(BUILD)/ilonet
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin
	$(Q)install -m 0755 $(BUILD)/ilonet $(DESTDIR)$(PREFIX)/bin/ilonet

uninstall:
	$(Q)rm -f $(DESTDIR)$(PREFIX)/bin/ilonet

clean:
	$(Q)rm -rf build build-asan build-tsan build-cov build-fuzz ilonet

# ---- TSan (issue 6 item 7): the unit suite, node processes included ----
# NNG runs callbacks on its own threads. Every process (tests, and the
# `ilonet node` children they start) writes its reports to
# build-tsan/tsan.<pid>, so a race in a node child fails the run too.
tsan:
	$(Q)rm -f build-tsan/tsan.*
	$(Q)TSAN_OPTIONS="log_path=$(abspath build-tsan)/tsan $(TSAN_OPTIONS)" \
	    $(MAKE) --no-print-directory unit BUILD=build-tsan OPT="-O1 -g" \
	    XCFLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=thread"
	$(Q)if ls build-tsan/tsan.* >/dev/null 2>&1; then head -60 build-tsan/tsan.*; \
	    echo "tsan: reports in build-tsan/tsan.*"; exit 1; fi; echo "tsan: no reports"

# TSan build of the node process tests only (in `make check`): the node is
# where NNG's threads meet the libuv loop, and where the WAL checkpointer
# thread (storage/checkpoint.c) runs beside it.
tsan-node:
	$(Q)rm -f build-tsan/tsan.*
	$(Q)TSAN_OPTIONS="log_path=$(abspath build-tsan)/tsan $(TSAN_OPTIONS)" \
	    $(MAKE) --no-print-directory unit BUILD=build-tsan OPT="-O1 -g" \
	    XCFLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=thread" \
	    TEST_BIN="build-tsan/tests/test_node build-tsan/tests/test_sync \
	              build-tsan/tests/test_checkpoint"
	$(Q)if ls build-tsan/tsan.* >/dev/null 2>&1; then head -60 build-tsan/tsan.*; \
	    echo "tsan: reports in build-tsan/tsan.*"; exit 1; fi; echo "tsan: no reports"

# ---- soak (issue 6 item 2): the nemesis run, long --------------------------
# tests/tools/nemesis with 12 nodes in network namespaces, 20 appends/s, one
# fault every 10 s and 20 % random packet loss (nftables) for 30 minutes,
# then healed; prints one key=value summary line (also build/soak-nemesis.txt).
# SOAK_SECS / SOAK_NODES / SOAK_LOSS change the run. Needs root.
SOAK_SECS  ?= 1800
SOAK_NODES ?= 12
SOAK_LOSS  ?= 20
soak: $(BUILD)/ilonet $(BUILD)/tools/nemesis
	$(Q)d=$$(mktemp -d /tmp/ilonet-soak-XXXXXX); \
	    echo "soak: $(SOAK_NODES) nodes, $(SOAK_SECS) s, $(SOAK_LOSS) % loss; log $$d/nemesis.log"; \
	    $(BUILD)/tools/nemesis --bin $(abspath $(BUILD)/ilonet) --dir $$d \
	        --nodes $(SOAK_NODES) --fault-secs $(SOAK_SECS) --heal-secs 30 \
	        --loss $(SOAK_LOSS) 2>$$d/nemesis.log | tee $(BUILD)/soak-nemesis.txt; \
	    grep -q 'result=pass' $(BUILD)/soak-nemesis.txt
