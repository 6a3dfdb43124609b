"""Shared test set-up: every test gets its own XDG directories under tmp."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("LC_NUMERIC", "C")

# The loopback audio server fixture (`audio_server`) and friends, for every test module.
pytest_plugins = ("audio_support",)


@pytest.fixture(autouse=True)
def isolated_xdg(tmp_path_factory, monkeypatch):
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        path = base / var.lower()
        path.mkdir()
        monkeypatch.setenv(var, str(path))
    monkeypatch.setenv("NO_COLOR", "1")
    return base
