"""The CLI, run as a subprocess of the installed `sadtui` entry point (e2e: `make test`), and the
few parts checked in-process (unit: `make test-fast` too)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sadtui import __version__

SADTUI = Path(sys.executable).with_name("sadtui")


def run(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 30):
    full_env = {**os.environ, **(env or {})}
    full_env.pop("NO_COLOR", None)
    return subprocess.run(
        [str(SADTUI), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def mine(tmp_path) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(
        'title = "Mine"\n'
        '[[songs]]\nrank = 7\ntitle = "Seven"\nartist = "Someone"\n'
        '[[songs]]\nrank = 3\ntitle = "[bold]Three[/]"\nanime = "Show"\ndescription = "Desc *three*"\n'
        'url = "http://127.0.0.1:9/three.wav"\n'
        '[[faq]]\nquestion = "Why?"\nanswer = "Because."\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.unit  # in-process (conftest files this module under e2e)
def test_entry_point_is_installed():
    assert SADTUI.exists()


def test_version_and_help():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"sadtui {__version__}"
    result = run("--help")
    assert result.returncode == 0
    for word in ("list", "show", "faq", "--playlist"):
        assert word in result.stdout


def test_python_dash_m_works():
    result = subprocess.run(
        [sys.executable, "-m", "sadtui", "--version"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0 and __version__ in result.stdout


def test_list_default_from_any_directory(tmp_path):
    result = run("list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 26
    assert lines[0].startswith(" 1. Sadness and Sorrow")
    assert lines[25].startswith("26. ")
    assert "\x1b" not in result.stdout, "no escape codes when stdout is not a terminal"


def test_list_json_shape():
    result = run("list", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert len(data) == 26
    for item in data:
        assert list(item) == ["rank", "title", "anime", "artist", "description", "query", "url", "path"]
        assert isinstance(item["query"], str) and item["query"]
    assert [item["rank"] for item in data] == list(range(1, 27))


def test_list_with_own_playlist_before_and_after_the_command(mine):
    for args in (("--playlist", str(mine), "list"), ("list", "--playlist", str(mine))):
        result = run(*args)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["3. [bold]Three[/]  (Show)", "7. Seven  (Someone)"]


def test_list_json_nulls_and_effective_query(mine):
    data = json.loads(run("--playlist", str(mine), "list", "--json").stdout)
    assert data[0] == {
        "rank": 3,
        "title": "[bold]Three[/]",
        "anime": "Show",
        "artist": None,
        "description": "Desc *three*",
        "query": "[bold]Three[/] Show",
        "url": "http://127.0.0.1:9/three.wav",
        "path": None,
    }
    assert data[1]["query"] == "Seven Someone"
    assert data[1]["description"] is None and data[1]["url"] is None


def test_show(mine):
    result = run("show", "3", "--playlist", str(mine))
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "#3  [bold]Three[/]"
    assert "Desc *three*" in result.stdout
    data = json.loads(run("show", "7", "--json", "--playlist", str(mine)).stdout)
    assert data["title"] == "Seven" and data["rank"] == 7


def test_show_default_song_has_description():
    result = run("show", "1")
    assert result.returncode == 0
    assert "Sadness and Sorrow" in result.stdout
    assert len(result.stdout) > 200


def test_show_unknown_rank_is_a_clear_error(mine):
    result = run("show", "5", "--playlist", str(mine))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f"sadtui: {mine}: no song with rank 5 (ranks: 3, 7)"


@pytest.mark.parametrize("rank", ["abc", "0", "-1"])
def test_show_bad_rank_is_usage_error(rank):
    result = run("show", rank)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "is not a rank" in result.stderr or "expected one argument" in result.stderr


def test_faq(mine):
    result = run("faq")
    assert result.returncode == 0 and result.stdout.count("?") >= 7
    data = json.loads(run("faq", "--json").stdout)
    assert len(data) == 7 and all(list(e) == ["question", "answer"] for e in data)
    data = json.loads(run("faq", "--json", "--playlist", str(mine)).stdout)
    assert data == [{"question": "Why?", "answer": "Because."}]


def test_bad_playlist_file_exit_2_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\n[[songs]]\nrank = 7\ntitle = "a"\nurl = "file:///x"\n')
    result = run("list", "--playlist", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"sadtui: {bad}: songs[1] (rank 7): 'url' must be an http(s) URL\n"


def test_missing_playlist_file(tmp_path):
    result = run("--playlist", str(tmp_path / "nope.toml"), "faq")
    assert result.returncode == 2
    assert result.stderr == f"sadtui: {tmp_path / 'nope.toml'}: no such file\n"


def test_unknown_command_and_option_exit_2():
    for args in (("frobnicate",), ("list", "--jsn")):
        result = run(*args)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr and result.stderr.startswith("sadtui")


def test_tui_without_a_terminal_is_a_clear_error():
    result = run()
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_pipe_is_quiet():
    proc = subprocess.run(
        f"'{SADTUI}' list | head -n 1", shell=True, capture_output=True, text=True, timeout=30
    )
    assert proc.stdout.startswith(" 1. ")
    assert "Traceback" not in proc.stderr and "Broken pipe" not in proc.stderr


@pytest.mark.parametrize("rank", ["+3", "1_0", " 3 ", "\uff15", "3.0"])
def test_ranks_are_plain_digits(rank):
    result = run("show", rank)
    assert result.returncode == 2
    assert "is not a rank" in result.stderr and "Traceback" not in result.stderr


def test_output_that_cannot_be_written_is_one_line():
    with open("/dev/full", "w") as full:
        result = subprocess.run([str(SADTUI), "list"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip() == "sadtui: cannot write: No space left on device"


def test_a_closed_stdout_is_not_a_crash():
    result = subprocess.run(["bash", "-c", f"'{SADTUI}' list >&-"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stderr == ""


def test_an_unknown_rank_in_a_long_list_says_whether_ranks_have_gaps(tmp_path):
    path = tmp_path / "long.toml"
    ranks = [r for r in range(1, 22) if r != 10]
    path.write_text('title = "Long"\n' + "".join(f'[[songs]]\nrank = {r}\ntitle = "S{r}"\n' for r in ranks))
    result = run("show", "10", "--playlist", str(path))
    assert result.returncode == 2
    assert result.stderr.strip().endswith("no song with rank 10 (ranks: 1 to 21, with gaps)")


# ---------------------------------------------------------------- outside text, internal errors, locale


def test_a_file_name_with_escape_sequences_is_shown_escaped(tmp_path):
    name = tmp_path / "x\x1b]0;pwned\x07\u202egnp.toml"
    result = run("list", "--playlist", str(name))
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\u202e" not in result.stderr
    assert result.stderr.endswith("x\\x1b]0;pwned\\x07\\u202egnp.toml: no such file\n")
    assert result.stderr.count("\n") == 1


def test_a_bidi_override_in_a_playlist_is_one_line_naming_file_entry_and_problem(tmp_path):
    path = tmp_path / "bidi.toml"
    path.write_text('title = "x"\n[[songs]]\nrank = 4\ntitle = "evil\u202eplay"\n', encoding="utf-8")
    for args in (["list"], ["show", "4"], ["faq"], ["play", "4"]):
        result = run(*args, "--playlist", str(path))
        assert result.returncode == 2, args
        assert result.stderr == (
            f"sadtui: {path}: songs[1] (rank 4): 'title' contains an invisible formatting character "
            "(U+202E); remove it\n"
        )


@pytest.fixture
def log_closed():
    from sadtui.services import logs

    logs.teardown()
    yield
    logs.teardown()


@pytest.mark.unit  # in-process (conftest files this module under e2e)
def test_an_internal_error_is_one_line_naming_the_log_and_the_traceback_is_in_it(
    monkeypatch, capsys, log_closed, isolated_xdg
):
    from sadtui.cli import main as cli
    from sadtui.services import logs

    def broken(args, playlist):
        raise RuntimeError("a bug \x1b[2J in sadtui")

    monkeypatch.setattr(cli, "cmd_list", broken)
    assert cli.main(["list"]) == 1
    out, err = capsys.readouterr()
    log_path = logs.log_file()
    assert str(log_path).startswith(str(isolated_xdg))
    assert err == f"sadtui: internal error (RuntimeError); details in {log_path}\n"
    assert out == ""
    logs.teardown()  # flushed and closed
    text = log_path.read_text()
    assert "Traceback (most recent call last)" in text and "in broken" in text
    assert "RuntimeError: a bug" in text


@pytest.mark.unit  # in-process (conftest files this module under e2e)
def test_short_commands_do_not_set_up_the_log(monkeypatch, capsys, log_closed):
    from sadtui.cli import main as cli
    from sadtui.services import logs

    assert cli.main(["list"]) == 0
    assert logs._handler is None and not logs.log_file().exists()


@pytest.mark.unit  # in-process (conftest files this module under e2e)
def test_play_and_the_tui_set_lc_numeric_on_the_main_thread_before_mpv(monkeypatch, log_closed, capsys):
    """libmpv needs LC_NUMERIC=C: set once, early, on the main thread, and never LC_ALL."""
    import locale
    import threading

    from sadtui.cli import main as cli
    from sadtui.services import engine as engine_module
    from sadtui.tui import app as app_module

    calls = []
    real_setlocale = locale.setlocale

    def recording_setlocale(category, value=None):
        if value is not None:
            calls.append((category, value, threading.current_thread() is threading.main_thread()))
        return real_setlocale(category, value)

    monkeypatch.setattr(locale, "setlocale", recording_setlocale)

    class Stop(Exception):
        pass

    def engine_factory(*args, **kwargs):
        calls.append(("engine", real_setlocale(locale.LC_NUMERIC)))
        raise Stop

    def run_app(*args, **kwargs):
        calls.append(("tui", real_setlocale(locale.LC_NUMERIC)))
        return 0

    real_setlocale(locale.LC_NUMERIC, "")  # start from the environment's locale, as a shell does

    monkeypatch.setattr(engine_module, "PlaybackEngine", engine_factory)
    monkeypatch.setattr(app_module, "run_app", run_app)
    monkeypatch.setattr(cli, "is_terminal", lambda stream: True)
    monkeypatch.setenv("LC_NUMERIC", "C.UTF-8")
    real_setlocale(locale.LC_NUMERIC, "C.UTF-8")  # not "C": someone must set it
    monkeypatch.setattr("sadtui.services.player._locale_done", False)
    assert cli.main(["play", "1"]) == 1  # Stop is an internal error here
    assert calls[-1] == ("engine", "C")
    assert all(call[0] == locale.LC_NUMERIC and call[1] == "C" and call[2] for call in calls[:-1])
    assert len(calls) >= 2  # it was set, on the main thread, before the engine
    calls.clear()
    real_setlocale(locale.LC_NUMERIC, "C.UTF-8")
    assert cli.main([]) == 0
    assert calls == [(locale.LC_NUMERIC, "C", True), ("tui", "C")]


def test_list_does_not_import_libmpv_or_logging_handlers():
    code = (
        "import sys\nfrom sadtui.cli.main import main\nrc = main(['list'])\n"
        "print(rc, 'mpv' in sys.modules, 'logging.handlers' in sys.modules, 'sadtui.services.player' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.stdout.split()[-4:] == ["0", "False", "False", "False"], result.stderr


@pytest.mark.unit  # in-process (conftest files this module under e2e)
def test_exit_codes_are_defined_once():
    from sadtui import launch
    from sadtui.cli import common, doctor, main, play

    assert (common.EXIT_OK, common.EXIT_FAILURE, common.EXIT_USAGE, common.EXIT_INTERRUPTED) == (0, 1, 2, 130)
    for module in (launch, main, play, doctor):
        for name in ("EXIT_OK", "EXIT_FAILURE", "EXIT_USAGE", "EXIT_INTERRUPTED"):
            if hasattr(module, name):
                assert getattr(module, name) is getattr(common, name)
    src = Path(launch.__file__).parent
    for file in [src / "launch.py", *sorted((src / "cli").glob("*.py"))]:
        if file.name != "common.py":
            text = file.read_text()
            assert "EXIT_OK =" not in text and "return 130" not in text, file
            assert "apt-get" not in text, file  # the install hint comes from the player


@pytest.mark.unit  # in-process (conftest files this module under e2e)
def test_doctor_details_from_outside_are_escaped(monkeypatch, capsys, log_closed):
    from sadtui.cli import doctor
    from sadtui.cli import main as cli

    hostile = doctor.Check("yt-dlp", False, "yt-dlp \x1b]0;pwned\x07\u202e1.0\nsecond line", "run \x1b[2J")
    monkeypatch.setattr(doctor, "run_checks", lambda **_: doctor.Report([hostile]))
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "yt-dlp \\x1b]0;pwned\\x07\\u202e1.0" in out and "second line" not in out
    assert "fix: run \\x1b[2J" in out


@pytest.mark.unit  # in-process (conftest files this module under e2e)
def test_the_libmpv_install_hint_comes_from_the_player():
    from sadtui.cli.doctor import libmpv_install_command
    from sadtui.services.player import LIBMPV_HINT

    assert libmpv_install_command() == "sudo apt-get install libmpv2"
    assert libmpv_install_command() in LIBMPV_HINT


def _run_in_a_terminal(*args: str, columns: int) -> str:
    """Run sadtui with stdout on a pseudo-terminal `columns` wide; what it printed."""
    import pty

    primary, secondary = pty.openpty()
    env = dict(os.environ, COLUMNS=str(columns), LINES="40", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "src")
    proc = subprocess.Popen([sys.executable, "-m", "sadtui", *args], stdout=secondary, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # the child closed its side
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    return b"".join(chunks).decode("utf-8", "replace")


def test_show_on_a_terminal_renders_the_markdown_wrapped_to_its_width():
    import re

    out = _run_in_a_terminal("show", "20", columns=50)
    plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out).replace("\r", "")
    assert "Your Lie in April" in plain and "*Your Lie in April*" not in plain  # emphasis rendered
    lines = [line for line in plain.splitlines() if line.strip()]
    assert max(len(line) for line in lines) <= 50
    from sadtui.model.playlist import load_playlist

    song = load_playlist().song(20)
    source = " ".join([song.title, song.anime or "", song.artist or "", song.search_terms, song.description or "",
                       "Anime Artist Search URL #20"])
    known = set(re.findall(r"\w+", source))
    cut = [w for w in re.findall(r"\w+", "\n".join(lines)) if w not in known]
    assert not cut, cut  # no word broken mid-word


def test_play_starts_resolving_before_python_mpv_loads_with_lc_numeric_already_c():
    """`sadtui play` resolves its first song (importing yt-dlp) while python-mpv loads and
    libmpv starts: nothing waits for the other (before the engine's control loop, they
    were one after the other).  LC_NUMERIC is "C" before any thread starts."""
    code = """
import locale, sys, threading
from sadtui.services import engine as engine_module
from sadtui.services.player import PlayerError
seen = []

class Resolver:
    def prefetch(self, song):
        seen.append(("prefetch", "mpv" in sys.modules, locale.setlocale(locale.LC_NUMERIC), threading.active_count()))

class Engine:
    def __init__(self, playlist, notify, **options):
        self.resolver = Resolver()
    def open_player(self):
        seen.append(("open_player", "mpv" in sys.modules))
        raise PlayerError("stop here")
    def shutdown(self, timeout=0):
        pass

engine_module.PlaybackEngine = Engine
from sadtui.cli.main import main
print(main(["play", "1"]), seen)
"""
    env = {**os.environ, "LC_NUMERIC": "C.UTF-8"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.stdout.strip() == "1 [('prefetch', False, 'C', 1), ('open_player', False)]", result.stderr
