# ilonet - build, test and run. `make help` lists the targets; V=1 shows the
# commands. Long recipes live in scripts/*.sh.
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   ?= build
OPT     ?= -O2 -g
PKGS     = libuv libsodium sqlite3 msgpack
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# -Wno-format-truncation: bounded snprintf copies are deliberate.
CFLAGS   += -std=c11 $(OPT) -Wall -Wextra -Wpedantic -Werror -Wno-format-truncation $(XCFLAGS)
# NNG 1.5.2 ships no pkg-config file.
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -luv -lsodium -lsqlite3 -lmsgpackc) -lnng -lpthread -lm
Q = $(if $(filter 1,$(V)),,@)
export V

LIB_SRC  = $(foreach m,crypto storage replication node,$(wildcard $(m)/*.c $(m)/*/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embed.o
CMD_OBJ  = $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/*.c))
TEST_BIN = $(patsubst tests/%.c,$(BUILD)/tests/%,$(filter-out tests/test_runner.c \
           tests/test_runner_fixture.c,$(wildcard tests/test_*.c)))
TSUP_OBJ = $(patsubst %.c,$(BUILD)/%.o,tests/test_runner.c $(filter-out tests/test_%,$(wildcard tests/*.c)))
TOOL_BIN = $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(wildcard tests/tools/*.c))
FUZZ_BIN = $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
# Shipped data compiled in (never committed as C): NAME=FILE, scripts/embed.sh.
EMBED    = report_data_template=data/report-2005-687.tmpl report_data_template_2019=data/report-2019-1240.tmpl \
           report_data_presidencies=data/presidencies.txt \
           vocab_data_377_2004=data/vocab-377-2004.txt vocab_data_2019_1240=data/vocab-2019-1240.txt \
           vocab_data_countries=data/countries.txt vocab_data_members=data/members.txt \
           http_web_index=node/web/index.html http_web_css=node/web/app.css http_web_js=node/web/app.js \
           http_web_i18n_en=node/web/i18n/en.json http_web_i18n_de=node/web/i18n/de.json
RUN      = ILONET_BIN=$(abspath $(BUILD)/ilonet) ILONET_TOOLS=$(abspath $(BUILD)/tools)
SAN      = OPT="-O1 -g" XCFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
           LDFLAGS="-fsanitize=address,undefined"
FUZZ_CC  = clang -std=c11 $(CPPFLAGS) -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 30

.PHONY: all check unit asan tsan tsan-node valgrind bench bench-plot demo soak fuzz coverage lint format format-check \
        install uninstall clean deps help man
all: ilonet man
# Extra packages per target (inherited by the `deps` they build first).
check: DEPS_EXTRA = clang clang-format-14 groff-base man-db
unit: DEPS_EXTRA = groff-base man-db
fuzz: DEPS_EXTRA = clang
coverage: DEPS_EXTRA = lcov
valgrind: DEPS_EXTRA = valgrind
lint: DEPS_EXTRA = cppcheck
format format-check: DEPS_EXTRA = clang-format-14
bench-plot: DEPS_EXTRA = gnuplot-nox
help:
	@echo "targets: all check unit asan tsan tsan-node valgrind bench bench-plot demo soak fuzz coverage lint"
	@echo "         format format-check man install uninstall clean deps   (V=1 shows commands)"
deps:
	$(Q)sh scripts/deps.sh $(DEPS_EXTRA)
ilonet: $(BUILD)/ilonet
	$(Q)cp $< $@
$(BUILD)/ilonet: $(CMD_OBJ) $(BUILD)/libilonet.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/libilonet.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^
$(BUILD)/tests/libtestsup.a: $(TSUP_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^
# The checks below run before any compile: a fresh machine gets its packages.
$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/gen/embed.c: $(foreach e,$(EMBED),$(lastword $(subst =, ,$(e)))) scripts/embed.sh Makefile
	@mkdir -p $(dir $@)
	$(Q)sh scripts/embed.sh $@ $(EMBED)
$(BUILD)/gen/embed.o: $(BUILD)/gen/embed.c
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/tests/%: tests/%.c $(BUILD)/tests/libtestsup.a $(BUILD)/libilonet.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libilonet.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# The runner's own test runs a program with a planted leak, always under ASan.
$(BUILD)/tests/test_runner_self: | $(BUILD)/tests/runner_fixture
$(BUILD)/tests/runner_fixture: tests/test_runner_fixture.c tests/test_runner.c tests/test.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 $(CPPFLAGS) -O1 -g -fsanitize=address -fno-omit-frame-pointer -o $@ $(filter %.c,$^)
-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(TSUP_OBJ:.o=.d)

# Unit, simulator and process tests against this build.
unit: $(BUILD)/ilonet $(TEST_BIN) $(TOOL_BIN)
	$(Q)$(RUN) sh tests/run.sh $(filter-out $(addprefix $(BUILD)/tests/,$(UNIT_SKIP)),$(TEST_BIN))
# Format first (cheap), the suite, again under ASan+UBSan and TSan, the fuzzers;
# the last line is the total.
check: deps
	$(Q)$(MAKE) --no-print-directory format-check
	$(Q)rm -f build/test-total
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory asan
	$(Q)$(MAKE) --no-print-directory tsan-node
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(or $(CHECK_FUZZ_SECONDS),10)
	$(Q)sh tests/run.sh --total
# Under ASan, not the tests of packaging, docs and the page's script (the
# same binary paths run under ASan in test_http, test_cli and the rest).
asan:
	$(Q)$(MAKE) --no-print-directory unit BUILD=build-asan $(SAN) \
	    UNIT_SKIP="test_deploy test_browser test_clidoc"
tsan:
	$(Q)MAKE="$(MAKE)" sh scripts/tsan.sh
# In `make check`: the node is where NNG's threads meet the libuv loop and the
# WAL checkpointer thread; a search counts its IDF on a thread of its own.
tsan-node:
	$(Q)MAKE="$(MAKE)" sh scripts/tsan.sh $(addprefix build-tsan/tests/,test_node test_sync test_checkpoint test_search)
coverage: deps
	$(Q)MAKE="$(MAKE)" sh scripts/coverage.sh
valgrind: $(BUILD)/ilonet $(TEST_BIN) $(TOOL_BIN)
	$(Q)$(RUN) VALGRIND_LOG_DIR=$(BUILD)/valgrind sh tests/valgrind.sh $(TEST_BIN)
# libFuzzer harnesses (tests/fuzz/fuzz_*.c) against the whole library, built with clang.
build-fuzz/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $< (fuzz)"
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer-no-link -c -o $@ $<
build-fuzz/libilonet.a: $(LIB_SRC:%.c=build-fuzz/obj/%.o) $(BUILD)/gen/embed.c
	$(Q)$(FUZZ_CC) -c -o build-fuzz/obj/embed.o $(BUILD)/gen/embed.c
	$(Q)rm -f $@ && ar rcs $@ $(filter %.o,$^) build-fuzz/obj/embed.o
build-fuzz/%: tests/fuzz/%.c build-fuzz/libilonet.a
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
fuzz: $(FUZZ_BIN)
	$(Q)sh scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)
bench: $(BUILD)/ilonet $(TOOL_BIN)
	$(Q)$(RUN) sh tests/bench.sh
# Sync rate, RSS and the desk's latencies against data size, drawn into
# docs/bench-scale.svg (tests/bench_plot.sh; long: stores up to 1M).
bench-plot: deps $(BUILD)/ilonet $(TOOL_BIN)
	$(Q)$(RUN) sh tests/bench_plot.sh docs
demo: $(BUILD)/ilonet
	$(Q)$(BUILD)/ilonet demo --dir demo
# The nemesis run, long (SOAK_SECS, SOAK_NODES, SOAK_LOSS); needs root.
soak: $(BUILD)/ilonet $(BUILD)/tools/nemesis
	$(Q)sh scripts/soak.sh $(abspath $^) $(or $(SOAK_SECS),1800) $(or $(SOAK_NODES),12) \
	    $(or $(SOAK_LOSS),20) $(BUILD)/soak-nemesis.txt
lint: deps
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr -I. \
	    crypto storage replication node cmd
format: deps
	$(Q)sh scripts/format.sh fix
format-check: deps
	$(Q)sh scripts/format.sh check
# ilonet(1) and ilonet-CMD(1) from the program's own --help texts.
man: $(BUILD)/man/ilonet.1
$(BUILD)/man/ilonet.1: $(BUILD)/ilonet scripts/mkman.sh scripts/mkman.awk
	@echo "  MAN     $(BUILD)/man"
	$(Q)sh scripts/mkman.sh $(BUILD)/ilonet $(BUILD)/man
install: $(BUILD)/ilonet $(BUILD)/man/ilonet.1
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	$(Q)install -m 0755 $(BUILD)/ilonet $(DESTDIR)$(PREFIX)/bin/ilonet
	$(Q)install -m 0644 $(BUILD)/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
uninstall:
	$(Q)rm -f $(DESTDIR)$(PREFIX)/bin/ilonet $(DESTDIR)$(PREFIX)/share/man/man1/ilonet.1 \
	    $(DESTDIR)$(PREFIX)/share/man/man1/ilonet-*.1
clean:
	$(Q)rm -rf build build-asan build-tsan build-cov build-fuzz ilonet
# The Debian package, hardened build (scripts/mkdeb.sh, scripts/deb/), with
# the man pages; `make install` also installs the systemd unit.
.PHONY: deb install-unit uninstall-unit
deb: deps man
	$(Q)MAKE="$(MAKE)" sh scripts/mkdeb.sh --hardened $(BUILD)
install: install-unit
uninstall: uninstall-unit
install-unit:
	$(Q)install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	$(Q)sed 's#/usr/bin/ilonet#$(PREFIX)/bin/ilonet#' scripts/systemd/ilonet@.service \
	    > $(DESTDIR)$(PREFIX)/lib/systemd/system/ilonet@.service
uninstall-unit:
	$(Q)rm -f $(DESTDIR)$(PREFIX)/lib/systemd/system/ilonet@.service
