"""The cyclic collector is off during the TUI's start-up only (sadtui.gcpause)."""

from __future__ import annotations

import gc

import pytest

from sadtui import cli, gcpause
from tui_helpers import make_app, wait_for


@pytest.fixture(autouse=True)
def collector_restored():
    was_enabled = gc.isenabled()
    yield
    gcpause.resume()
    gc.unfreeze()
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_pause_and_resume_only_undo_their_own_change():
    gc.enable()
    gcpause.pause()
    assert not gc.isenabled() and gcpause.paused()
    gcpause.resume()
    assert gc.isenabled() and not gcpause.paused()

    gc.disable()  # someone else's choice: left alone
    gcpause.pause()
    assert not gcpause.paused()
    gcpause.resume()
    assert not gc.isenabled()


def test_commands_other_than_the_tui_run_with_the_collector_on(monkeypatch, capsys):
    gc.enable()
    seen = []
    real = cli.cmd_list
    monkeypatch.setattr(cli, "cmd_list", lambda args, pl: (seen.append(gc.isenabled()), real(args, pl))[1])
    assert cli.main(["list"]) == 0
    assert seen == [True]
    assert gc.isenabled()
    assert "Sadness and Sorrow" in capsys.readouterr().out


def test_tui_start_runs_paused_and_main_always_resumes(monkeypatch):
    gc.enable()
    seen = []

    def fake_tui(args, playlist):
        seen.append(gc.isenabled())
        raise cli.UsageError("no terminal here")  # a failing start still resumes

    monkeypatch.setattr(cli, "cmd_tui", fake_tui)
    assert cli.main([]) == cli.EXIT_USAGE
    assert seen == [False]
    assert gc.isenabled() and not gcpause.paused()


def test_bad_usage_resumes_too(capsys):
    gc.enable()
    with pytest.raises(SystemExit) as exc:
        cli.main(["--no-such-option"])
    assert exc.value.code == cli.EXIT_USAGE
    assert gc.isenabled()


async def test_the_app_resumes_and_freezes_after_its_first_paint():
    gc.enable()
    gc.unfreeze()
    gcpause.pause()
    app, _ = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.painted.is_set, what="first paint")
        assert gc.isenabled() and not gcpause.paused()
        assert gc.get_freeze_count() > 0  # start-up objects are never walked again


async def test_an_app_started_with_the_collector_on_leaves_it_alone():
    gc.enable()
    gc.unfreeze()
    app, _ = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.painted.is_set, what="first paint")
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0
