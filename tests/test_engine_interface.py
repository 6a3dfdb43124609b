"""The fake engine the TUI tests use has the real engine's public interface."""

from __future__ import annotations

import inspect

import pytest

from fake_engine import FakeEngine
from sadtui.services.engine import PlaybackEngine

pytestmark = pytest.mark.unit

# Public names only one side has, on purpose.  Anything else either gains must be added to both.
ENGINE_ONLY = {
    "open_player",  # `sadtui play`: create mpv before anything plays (finds a bad --mpv-option)
    "play_queue",  # `sadtui play 3 1 7`
}
FAKE_ONLY = {"called", "drain", "emit", "finish", "progress"}  # the fake's simulation controls
# Keyword arguments of the constructors that only one side takes.
ENGINE_ONLY_PARAMS = {"resolver", "player", "queue", "advance_delay", "report_within", "rng", "warm_up", "clock", "library", "pins"}
FAKE_ONLY_PARAMS = {"threaded", "fail", "start_error"}


def public(cls: type) -> dict[str, object]:
    return {name: member for name, member in inspect.getmembers(cls) if not name.startswith("_")}


def test_both_have_the_same_public_methods_and_properties():
    engine, fake = public(PlaybackEngine), public(FakeEngine)
    assert set(engine) - set(fake) == ENGINE_ONLY
    assert set(fake) - set(engine) == FAKE_ONLY
    for name in set(engine) & set(fake):
        assert isinstance(engine[name], property) == isinstance(fake[name], property), name


@pytest.mark.parametrize("name", sorted(set(public(PlaybackEngine)) & set(public(FakeEngine))))
def test_each_shared_method_takes_the_same_arguments(name):
    real, fake = getattr(PlaybackEngine, name), getattr(FakeEngine, name)
    if isinstance(real, property):
        return
    real_params = list(inspect.signature(real).parameters.values())
    fake_params = list(inspect.signature(fake).parameters.values())
    if name == "shutdown":  # the engine's timeout is its own (the fake never waits)
        real_params = [p for p in real_params if p.name != "timeout"]
    describe = [(p.name, p.kind, p.default) for p in real_params]
    assert describe == [(p.name, p.kind, p.default) for p in fake_params], name


def test_the_constructors_agree_on_what_the_app_passes():
    real = inspect.signature(PlaybackEngine).parameters
    fake = inspect.signature(FakeEngine).parameters
    assert list(real)[:2] == list(fake)[:2] == ["playlist", "notify"]
    assert set(real) - set(fake) == ENGINE_ONLY_PARAMS
    assert set(fake) - set(real) == FAKE_ONLY_PARAMS
    assert real["mpv_options"].kind is fake["mpv_options"].kind is inspect.Parameter.KEYWORD_ONLY
