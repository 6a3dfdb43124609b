"""config.toml: defaults, checks, one line per problem."""

from __future__ import annotations

import tomllib

import pytest

from sadtui.model.config import DEFAULT_TEXT, Config, ConfigError, load_config

pytestmark = pytest.mark.unit

ACTIONS = {
    "next": ("app", ("n",)),
    "previous": ("app", ("p",)),
    "toggle_pause": ("app", ("space",)),
    "cursor_down": ("list", ("down", "j")),
}


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_is_the_defaults(tmp_path):
    config = load_config(tmp_path / "nope.toml")
    assert config == Config(path=tmp_path / "nope.toml")


def test_the_commented_default_is_valid_and_all_comments():
    assert tomllib.loads(DEFAULT_TEXT) == {}
    for key in ("theme", "playlist", "resume", "mpv_options", "[keys]"):
        assert key in DEFAULT_TEXT


def test_a_full_config(tmp_path):
    path = write(tmp_path, 'theme = "sadtui-light"\nplaylist = "rain"\nresume = true\n'
                           'mpv_options = ["ao=pulse", "volume=70"]\n[keys]\nnext = ["ctrl+right", "n"]\n'
                           'toggle_pause = "k"\n')
    config = load_config(path, actions=ACTIONS)
    assert config.theme == "sadtui-light" and config.playlist == "rain" and config.resume is True
    assert config.mpv_options == ("ao=pulse", "volume=70")
    assert config.keys == {"next": ("ctrl+right", "n"), "toggle_pause": ("k",)}


@pytest.mark.parametrize(("text", "message"), [
    ('them = "x"\n', "config.toml: them: unknown setting (did you mean 'theme'?)"),
    ("resume = 1\n", "config.toml: resume: must be true or false, not an integer"),
    ('theme = ""\n', "config.toml: theme: must be a non-empty string, not a string"),
    ('mpv_options = "ao=pulse"\n', 'config.toml: mpv_options: must be an array of "KEY=VALUE" strings'),
    ('mpv_options = ["novalue"]\n', "config.toml: mpv_options: 'novalue' is not KEY=VALUE"),
    ('[keys]\nnxt = "x"\n', "config.toml: keys.nxt: no such action (did you mean 'next'?)"),
    ('[keys]\nnext = "not a key"\n', "config.toml: keys.next: 'not a key' is not a key name"),
    ('[keys]\nnext = "p"\n', "config.toml: keys.next: 'p' is already the key of 'previous'"),
    ('[keys]\nnext = "x"\nprevious = "x"\n', "config.toml: keys.previous: 'x' is already the key of 'next'"),
    ("keys = 3\n", "config.toml: keys: must be a table ([keys]), not an integer"),
    ("theme = \n", "config.toml: not valid TOML"),
    ('x = "\u202e"\n', "config.toml: x: unknown setting"),
])
def test_every_problem_is_one_line_naming_the_file_and_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, actions=ACTIONS)
    shown = str(info.value)
    assert "\n" not in shown
    assert shown.startswith(str(tmp_path))
    assert message in shown


def test_the_same_key_in_two_scopes_is_fine(tmp_path):
    path = write(tmp_path, '[keys]\nnext = "j"\n')  # "j" moves down in the list, a different scope
    assert load_config(path, actions=ACTIONS).keys == {"next": ("j",)}


def test_binary_and_directories_are_one_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path)


# ---------------------------------------------------------------- through the real command


def sadtui(*args, env_extra=None):
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("sadtui")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env={**os.environ, **(env_extra or {})})


def _config_path():
    import os
    from pathlib import Path

    return Path(os.environ["XDG_CONFIG_HOME"]) / "sadtui" / "config.toml"


@pytest.mark.e2e
def test_config_path_and_default():
    result = sadtui("config", "--path")
    assert result.returncode == 0 and result.stdout.strip() == str(_config_path())
    result = sadtui("config", "--default")
    assert result.returncode == 0 and result.stdout == DEFAULT_TEXT


@pytest.mark.e2e
def test_a_bad_config_stops_every_command_with_one_line_but_not_config_path():
    path = _config_path()
    path.parent.mkdir(parents=True)
    path.write_text('resume = "yes"\n')
    result = sadtui("list")
    assert result.returncode == 2
    assert result.stderr == f"sadtui: {path}: resume: must be true or false, not a string\n"
    assert sadtui("config", "--path").returncode == 0  # the way to find the file still works


@pytest.mark.e2e
def test_the_configured_playlist_by_library_name_and_the_command_line_wins(tmp_path):
    import os
    from pathlib import Path

    lists = Path(os.environ["XDG_DATA_HOME"]) / "sadtui" / "playlists"
    lists.mkdir(parents=True)
    (lists / "rain.toml").write_text('title = "Rain"\n[[songs]]\nrank = 1\ntitle = "Drops"\n')
    path = _config_path()
    path.parent.mkdir(parents=True)
    path.write_text('playlist = "rain"\n')
    assert "Drops" in sadtui("list").stdout
    mine = tmp_path / "mine.toml"
    mine.write_text('title = "Mine"\n[[songs]]\nrank = 1\ntitle = "Other"\n')
    assert "Other" in sadtui("list", "--playlist", str(mine)).stdout


@pytest.mark.e2e
def test_configured_mpv_options_are_checked_like_the_command_lines():
    path = _config_path()
    path.parent.mkdir(parents=True)
    path.write_text('mpv_options = ["no-such-option=1"]\n')
    result = sadtui("play", "1")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "no-such-option" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.unit
@pytest.mark.parametrize(("value", "size"), [('"2 GiB"', 2 * 2**30), ('"500MB"', 500 * 10**6), ("1048576", 2**20),
                                             ('"1.5 GiB"', int(1.5 * 2**30))])
def test_library_cap_sizes(tmp_path, value, size):
    assert load_config(write(tmp_path, f"library_cap = {value}\n")).library_cap == size


@pytest.mark.unit
@pytest.mark.parametrize("value", ['"lots"', "0", "-5", "true", '"2 parsecs"'])
def test_a_bad_library_cap_is_one_line(tmp_path, value):
    with pytest.raises(ConfigError, match="library_cap: must be a size"):
        load_config(write(tmp_path, f"library_cap = {value}\n"))


@pytest.mark.unit
def test_the_configured_cap_is_every_librarys_default(tmp_path, monkeypatch):
    from sadtui.cli.main import _apply_config
    from sadtui.services import library

    monkeypatch.setattr(library, "_default_cap", library.DEFAULT_CAP)
    import argparse

    _apply_config(argparse.Namespace(playlist=None, mpv_option=None), Config(library_cap=123_456_789))
    assert library.Library(tmp_path).cap == 123_456_789
    assert library.Library(tmp_path, cap=5).cap == 5
