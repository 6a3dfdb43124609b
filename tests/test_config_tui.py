"""config.toml in the TUI: its theme, and [keys] remaps in the bindings, the help screen
and the palette; `sadtui config --actions`; remaps checked against the real actions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fake_engine import FactoryRecorder
from sadtui.model.config import Config, ConfigError, load_config
from sadtui.model.playlist import load_playlist
from sadtui.tui.keymap import FIXED, KEYS, action_name, actions_table
from test_config import sadtui
from tui_helpers import SadtuiTestApp, engine_ready, screen_text, wait_for, wait_for_text

PLAYLIST = load_playlist()


def new_app(**kwargs):
    recorder = FactoryRecorder()
    return SadtuiTestApp(PLAYLIST, engine_factory=recorder, **kwargs), recorder


def config_file(text: str) -> Path:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "sadtui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.unit
def test_every_action_has_a_unique_name_and_the_table_has_them_all():
    names = [action_name(key) for key in KEYS]
    assert len(names) == len(set(names))
    table = actions_table()
    assert set(table) == set(names)
    assert table["next"] == ("app", ("n",)) and table["cursor_down"] == ("app", ("down", "j"))
    assert table["scroll_down"] == ("pane", ("down", "j"))


@pytest.mark.unit
def test_the_real_table_refuses_a_key_bound_twice(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[keys]\ntoggle_pause = ["space", "k"]\n')  # k moves up the list
    with pytest.raises(ConfigError, match=r"keys.toggle_pause: 'k' is already the key of 'cursor_up'"):
        load_config(path, actions=actions_table())
    path.write_text('[keys]\nnext = "?"\n')  # as written by a person: the help key
    with pytest.raises(ConfigError, match="already the key of"):
        load_config(path, actions=actions_table())
    path.write_text('[keys]\nnext = ["b"]\nscroll_down = "b"\n')  # a pane's keys are apart from the list's
    assert load_config(path, actions=actions_table()).keys == {"next": ("b",), "scroll_down": ("b",)}


@pytest.mark.tui
async def test_a_remapped_key_runs_its_action_and_shows_everywhere():
    app, recorder = new_app(config=Config(keys={"next": ("b",), "help": ("question_mark", "h")}))
    async with app.run_test(size=(120, 80)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.press("enter")
        await wait_for(pilot, lambda: engine.called("play"), what="play")
        await pilot.press("n")  # no longer next
        await pilot.pause(0.05)
        assert engine.called("next") == []
        await pilot.press("b")
        await wait_for(pilot, lambda: engine.called("next") == [()], what="b is next")
        assert "b Next" in screen_text(app)  # the footer
        await pilot.press("h")  # help, on its second key
        await wait_for_text(pilot, "?  h       List every key")
        from sadtui.tui.screens.help import help_text

        line = next(line for line in help_text(app.key_remaps).plain.splitlines() if "Play the next song" in line)
        assert line.split()[0] == "b"
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.press(*"Next")
        await wait_for_text(pilot, "Next  (b)")


@pytest.mark.tui
async def test_the_config_theme_and_the_command_line_theme():
    app, _ = new_app(config=Config(theme="nord"))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "nord"
    app, _ = new_app(config=Config(theme="nord"), theme="gruvbox")  # the command line wins, remembered
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "gruvbox"
    app, _ = new_app(config=Config(theme="nord"))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "gruvbox"  # remembered: a choice wins over config.toml's
    app, _ = new_app(remember=False, config=Config(theme="no-such-theme"))
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: any("no theme named 'no-such-theme'" in n for n in app.notices),
                       what="the notice")
        assert app.theme != "no-such-theme"
        assert "Songs" in screen_text(app)


@pytest.mark.e2e
def test_config_actions_lists_the_actions_with_remapped_keys():
    config_file('[keys]\nnext = ["b", "ctrl+right"]\n')
    result = sadtui("config", "--actions")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "* b  Ctrl+→" in lines["next"]
    assert "p" in lines["previous"].split() and "Play the previous song" in lines["previous"]
    assert not FIXED & set(lines)


@pytest.mark.e2e
def test_a_key_bound_twice_stops_the_tui_with_one_line():
    path = config_file('[keys]\nstop = "q"\n')
    result = sadtui()
    assert result.returncode == 2
    assert result.stderr == f"sadtui: {path}: keys.stop: 'q' is already the key of 'quit'\n"
    result = sadtui("config", "--actions")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
