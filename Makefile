# Knit build.  `make` builds ./knit; see README.md for the other targets.

PKGS     := libmicrohttpd jansson icu-uc icu-i18n libsodium sqlite3
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
CPPFLAGS := -D_GNU_SOURCE $(HARDEN) $(shell pkg-config --cflags $(PKGS))
LDLIBS   := $(shell pkg-config --libs $(PKGS)) -lpthread -lm
TESTLIBS := $(shell pkg-config --libs cmocka)

BUILD    ?= build
SRC      := $(shell find src -name '*.c' | sort)
OBJ      := $(SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/schema.o
LIBOBJ   := $(filter-out $(BUILD)/src/main.o,$(OBJ))
SCHEMA   := $(sort $(wildcard src/store/schema/*.sql))
UNIT     := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(sort $(wildcard tests/unit/test_*.c)))

.PHONY: all run check asan bench clean format style unit deps

all: knit

knit: $(BUILD)/knit
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/knit: $(OBJ)
	@echo "LD $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Migrations are SQL files compiled into the binary as C strings.
$(BUILD)/gen/schema.c: $(SCHEMA) tools/embed-sql
	@mkdir -p $(dir $@)
	tools/embed-sql $(SCHEMA) > $@

$(BUILD)/gen/schema.o: $(BUILD)/gen/schema.c
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -Isrc -c -o $@ $<

$(BUILD)/libknit.a: $(LIBOBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libknit.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -Wno-unused-function $(CPPFLAGS) $(CFLAGS) -Isrc -o $@ $< \
		$(BUILD)/libknit.a $(TESTLIBS) $(LDLIBS)

unit: $(UNIT)

deps:
	tools/install-deps

# Install what is missing, build, create a demo node and serve it.
run: deps
	$(MAKE) knit
	./knit demo --db demo/demo.db --listen 127.0.0.1:8080

# All tests: style, unit, API, crash, audit.  Prints "N passed, N failed".
check: knit unit
	BUILD=$(BUILD) tests/run

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" build-asan/knit unit
	BUILD=build-asan KNIT_BIN=build-asan/knit ASAN_OPTIONS=detect_leaks=1 tests/run

bench: knit $(BUILD)/libknit.a
	tools/install-deps --bench
	bench/run

format:
	clang-format -i $(SRC) $(wildcard src/*.h src/*/*.h) tests/unit/*.c

style:
	tools/style-check

clean:
	rm -rf build build-asan knit
