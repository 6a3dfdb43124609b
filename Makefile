# Two commands do all the set-up on a fresh machine:
#   make run    set up, then start sadtui on the default playlist
#   make test   set up, then run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.sadtui-installed
DEV_STAMP := $(VENV)/.sadtui-dev-installed
SUDO_HINT = sudo apt-get install -y

.PHONY: setup setup-dev run test test-fast lint bench system-deps clean

# `make run` installs what running needs, nothing more; the test, lint and bench
# targets add the test and bench extras (pytest, ruff, ...) on top.
setup: system-deps $(STAMP)
	@# Byte-compile our sources: start-up should not pay for compiling them
	@# (some machines set PYTHONDONTWRITEBYTECODE, so Python never caches them itself).
	@$(PY) -m compileall -q src/sadtui >/dev/null

setup-dev: setup $(DEV_STAMP)
	@$(PY) -m compileall -q bench >/dev/null

# libmpv (Debian: libmpv2) is a system library; tmux (the real-terminal tests), dbus-daemon,
# dbus-bin and playerctl (the MPRIS tests: a private session bus and the real client) are for `make test`.
system-deps:
	@missing=""; \
	if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libmpv\.so'; then missing="$$missing libmpv2"; fi; \
	if [ -n "$(WITH_TMUX)" ] && ! command -v tmux >/dev/null 2>&1; then missing="$$missing tmux"; fi; \
	if [ -n "$(WITH_TMUX)" ] && ! command -v dbus-daemon >/dev/null 2>&1; then missing="$$missing dbus-daemon"; fi; \
	if [ -n "$(WITH_TMUX)" ] && ! command -v dbus-monitor >/dev/null 2>&1; then missing="$$missing dbus-bin"; fi; \
	if [ -n "$(WITH_TMUX)" ] && ! command -v playerctl >/dev/null 2>&1; then missing="$$missing playerctl"; fi; \
	if [ -n "$(WITH_MPV_CLI)" ] && ! command -v mpv >/dev/null 2>&1; then missing="$$missing mpv"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing system packages:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "sadtui needs system packages that are missing. Run:"; \
	    echo "  $(SUDO_HINT)$$missing"; \
	    exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e .
	@touch $(STAMP)

$(DEV_STAMP): pyproject.toml
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test,bench]'
	@touch $(DEV_STAMP)

run: setup
	$(VENV)/bin/sadtui

# PYTHONDONTWRITEBYTECODE= : pytest keeps the test modules it rewrote (for its assertions) in
# __pycache__; on a machine that sets PYTHONDONTWRITEBYTECODE every process rewrote them every run.
test:
	@$(MAKE) --no-print-directory setup-dev WITH_TMUX=1
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest $(PYTEST_ARGS)

# Units and Pilot tests only: no real playback, no tmux (under a minute on 2 cores; README).
# A Pilot test waits for the app to go idle after every key, about half its time, so two
# workers a core (at most 8) keep the cores busy; worksteal evens out the long tests at the end.
FAST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$(( n * 2 < 8 ? n * 2 : 8 )))
test-fast:
	@$(MAKE) --no-print-directory setup-dev
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -m "not e2e" -n $(FAST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint:
	@$(MAKE) --no-print-directory setup-dev
	$(PY) -m ruff check src tests bench

bench:
	@$(MAKE) --no-print-directory setup-dev WITH_TMUX=1 WITH_MPV_CLI=1
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache
