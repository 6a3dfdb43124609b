"""`sadtui play` and `sadtui doctor` as a person runs them: the installed entry point
in a subprocess, the real libmpv and yt-dlp, songs on the loopback server."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from audio_support import (
    SADTUI,
    cli_mpv_args,
    pcm_frequency,
    pcm_options,
    read_pcm,
    wait_until,
    write_playlist,
)

SINE_RMS = 0.5 / 2**0.5


@pytest.fixture
def songs(tmp_path, audio_server) -> Path:
    return write_playlist(
        tmp_path / "loop.toml",
        [
            ("Sine A", audio_server.url("/a.wav")),
            ("Sine B", audio_server.url("/b.wav")),
            ("Broken", audio_server.url("/404")),
            ("Long", audio_server.url("/long.wav")),
        ],
    )


def sadtui(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(SADTUI), *args], capture_output=True, text=True, timeout=timeout)


def test_play_decodes_every_song_then_exits_0(songs, tmp_path):
    out = tmp_path / "out.raw"
    started = time.monotonic()
    result = sadtui("play", "1", "2", "--playlist", str(songs),
                    *cli_mpv_args([*pcm_options(out), "ao-pcm-append=yes"]))
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""  # not a terminal: nothing but errors
    seconds, rms = read_pcm(out)
    assert seconds == pytest.approx(4.0, abs=0.2)
    assert rms == pytest.approx(SINE_RMS, rel=0.1)
    assert pcm_frequency(out) == pytest.approx(440, rel=0.05)
    assert time.monotonic() - started < 30


def test_a_page_is_extracted_once_while_mpv_starts(tmp_path, audio_server):
    # `play` resolves the first song while libmpv starts; the engine's own request
    # joins that one: yt-dlp fetches the page once, and the song plays.
    page = write_playlist(tmp_path / "page.toml", [("The page", audio_server.url("/page.html"))])
    out = tmp_path / "out.raw"
    result = sadtui("play", "1", "--playlist", str(page), *cli_mpv_args(pcm_options(out)))
    assert result.returncode == 0, result.stderr
    assert audio_server.requested("/page.html") == 1
    assert read_pcm(out)[0] == pytest.approx(2.0, abs=0.1)
    assert pcm_frequency(out) == pytest.approx(660, rel=0.05)


def test_a_volume_option_is_kept(songs, tmp_path):
    # mpv's volume is cubic: 50 % is a gain of 0.125.  (It used to be reset to 100.)
    out = tmp_path / "out.raw"
    result = sadtui("play", "1", "--playlist", str(songs), *cli_mpv_args([*pcm_options(out), "volume=50"]))
    assert result.returncode == 0, result.stderr
    seconds, rms = read_pcm(out)
    assert seconds == pytest.approx(2.0, abs=0.1)
    assert rms == pytest.approx(SINE_RMS * 0.125, rel=0.1)


def test_mpv_options_before_and_after_the_command_both_count(songs, tmp_path):
    out = tmp_path / "out.raw"
    options = pcm_options(out)
    result = sadtui(*cli_mpv_args(options[:3]), "play", "2", "--playlist", str(songs), *cli_mpv_args(options[3:]))
    assert result.returncode == 0, result.stderr
    assert read_pcm(out)[0] == pytest.approx(2.0, abs=0.1)
    assert pcm_frequency(out) == pytest.approx(660, rel=0.05)


def test_a_failed_song_is_one_line_and_exit_1(songs, tmp_path):
    out = tmp_path / "out.raw"
    result = sadtui("play", "3", "1", "--playlist", str(songs), *cli_mpv_args(pcm_options(out)))
    assert result.returncode == 1
    assert result.stderr == 'sadtui: song 3 "Broken": HTTP 404 from 127.0.0.1\n'
    assert read_pcm(out)[0] == pytest.approx(2.0, abs=0.1)  # it went on to song 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--mpv-option", "foo=bar"], "sadtui: --mpv-option foo=bar: mpv does not know option 'foo'\n"),
        (["--mpv-option", "volume=loud"], "sadtui: --mpv-option volume=loud: mpv refused the value 'loud' for 'volume'\n"),
        (["--mpv-option", "foo"], "sadtui: --mpv-option foo: expected KEY=VALUE, e.g. ao=pcm\n"),
    ],
)
def test_bad_mpv_options_exit_2(songs, args, message):
    result = sadtui("play", "1", "--playlist", str(songs), *args)
    assert result.returncode == 2
    assert result.stderr == message


BAD_OPTIONS = [
    ("foo=bar", "sadtui: --mpv-option foo=bar: mpv does not know option 'foo'\n"),
    ("volume=loud", "sadtui: --mpv-option volume=loud: mpv refused the value 'loud' for 'volume'\n"),
    ("foo", "sadtui: --mpv-option foo: expected KEY=VALUE, e.g. ao=pcm\n"),
]


@pytest.mark.parametrize("option, message", BAD_OPTIONS, ids=[o for o, _ in BAD_OPTIONS])
def test_the_tui_refuses_a_bad_mpv_option_before_it_needs_a_terminal(songs, option, message):
    """`sadtui --mpv-option ...` (the TUI) checks its options first: even without a
    terminal, the answer is the option's problem (one line, exit 2), not the terminal's."""
    result = subprocess.run(
        [str(SADTUI), "--playlist", str(songs), "--mpv-option", "ao=null", "--mpv-option", option],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr == message and result.stdout == ""


def test_the_tui_with_good_mpv_options_goes_on_to_need_a_terminal(songs):
    result = subprocess.run(
        [str(SADTUI), "--mpv-option", "ao=null", "--mpv-option", "volume=50", "--playlist", str(songs)],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("sadtui: the TUI needs a terminal") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("options, libmpv", [([], False), (["--mpv-option", "ao=null"], True)])
def test_the_tui_loads_libmpv_for_checking_only_when_options_are_given(options, libmpv):
    code = (
        "import sys\n"
        "from sadtui.cli.main import main\n"
        f"rc = main({options!r})\n"
        "print(rc, 'mpv' in sys.modules, 'sadtui.tui.app' in sys.modules, 'textual' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    # No terminal: exit 2 either way, and neither the TUI nor Textual was imported.
    assert result.stdout.split() == ["2", str(libmpv), "False", "False"], result.stderr


def test_bad_ranks_exit_2(songs):
    result = sadtui("play", "1", "9", "--playlist", str(songs))
    assert result.returncode == 2
    assert result.stderr == f"sadtui: {songs}: no song with rank 9 (ranks: 1, 2, 3, 4)\n"
    result = sadtui("play", "zero", "--playlist", str(songs))
    assert result.returncode == 2 and "is not a rank" in result.stderr


def test_ctrl_c_stops_cleanly(songs, audio_server):
    before = audio_server.requested("/long.wav")
    proc = subprocess.Popen(
        [str(SADTUI), "play", "4", "--playlist", str(songs), "--mpv-option", "ao=null"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        # An audio file's URL goes straight to mpv: its request means it is streaming.
        wait_until(lambda: audio_server.requested("/long.wav") >= before + 1, 15, "mpv streaming")
        time.sleep(0.2)
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert time.monotonic() - started < 5
    assert "Traceback" not in err and err.strip() == ""


class _ImportWatch:
    """Reads a child's stderr as it comes, with Python's import-time report on
    (PYTHONPROFILEIMPORTTIME): knows when the child is running sadtui's own code."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self.in_sadtui = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(proc.stderr,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        launched = False
        for line in stream:
            self.lines.append(line)
            # The console script imports `sadtui.launch` and calls its main(); the import
            # report names a module once it is loaded.  Any module loaded after
            # sadtui.launch is loaded inside launch.main()'s `try`: from there on, Ctrl-C
            # is sadtui's to handle.  (Before that, Python itself and the console script
            # run: a Ctrl-C there is Python's traceback, not sadtui's.)
            if launched:
                self.in_sadtui.set()
            elif line.rstrip().endswith("| sadtui.launch"):
                launched = True

    def other_lines(self) -> str:
        self._thread.join(10)
        return "".join(line for line in self.lines if not line.startswith("import time:"))


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.03, 0.06, 0.1, 0.15, 0.25])
def test_ctrl_c_while_starting_ends_quietly(songs, delay):
    # Imports, argument parsing and libmpv's start: Ctrl-C at any of them is exit 130, no traceback.
    # `delay` counts from the moment sadtui's own code runs (not from the process start,
    # which on a loaded machine could still be inside Python's start-up).
    proc = subprocess.Popen(
        [str(SADTUI), "play", "4", "--playlist", str(songs), "--mpv-option", "ao=null"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
    )
    try:
        watch = _ImportWatch(proc)
        assert watch.in_sadtui.wait(30), "sadtui's code never started"
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
        err = watch.other_lines()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in err, err
    assert proc.returncode == 130, (proc.returncode, err)
    assert err == ""  # not a terminal: not even a line break


# An HTTP reason phrase with a terminal escape sequence: OSC sets the window title,
# BEL ends it, CSI 2J wipes the screen.
HOSTILE_REASON = "\x1b]0;pwned\x07\x1b[2J"


@pytest.fixture
def hostile_server():
    """A loopback server whose every answer is `HTTP/1.1 300 <HOSTILE_REASON>`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # quiet
            pass

        def do_GET(self):
            self.send_response(300, HOSTILE_REASON)  # written as it is (latin-1)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_a_hostile_reason_phrase_reaches_stderr_as_visible_escapes(tmp_path, hostile_server):
    port = hostile_server.server_address[1]
    playlist = write_playlist(tmp_path / "evil.toml", [("Evil", f"http://127.0.0.1:{port}/song")])
    result = subprocess.run(
        [str(SADTUI), "play", "1", "--playlist", str(playlist), "--mpv-option", "ao=null"],
        capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    err = result.stderr.decode("utf-8")
    assert "\x1b" not in err and "\x07" not in err, repr(err)
    assert err.startswith('sadtui: song 1 "Evil": ') and err.count("\n") == 1, repr(err)
    # yt-dlp's message names the reason: it shows, as visible escapes (or not at all).
    assert "pwned" not in err or "\\x1b]0;pwned\\x07\\x1b[2J" in err, repr(err)


def test_fit_cuts_by_terminal_cells():
    from sadtui.cli.play import _fit

    assert _fit("playing  #1 悲しみの歌", 15) == "playing  #1 悲"
    assert _fit("abc", 2) == "ab" and _fit("abc", 5) == "abc"
    assert _fit("e\u0301e\u0301", 2) == "e\u0301e\u0301"  # combining accents take no cell


def _play_on_a_terminal(songs, env: dict | None = None) -> tuple[int, str]:
    """`sadtui play 1` with stderr on a pseudo-terminal: its exit status and what it drew."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [str(SADTUI), "play", "1", "--playlist", str(songs), "--mpv-option", "ao=null"],
        stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})},
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        proc.wait(timeout=10)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_progress_line_on_a_terminal(songs):
    code, text = _play_on_a_terminal(songs)
    assert code == 0
    assert "resolving #1 Sine A" in text
    assert "playing   #1 Sine A  0:01 / 0:02" in text
    assert text.endswith("\r\x1b[K")  # the line is cleared at the end


def test_progress_line_on_a_dumb_terminal_has_no_escape_codes(songs):
    code, text = _play_on_a_terminal(songs, {"TERM": "dumb"})
    assert code == 0
    assert "playing   #1 Sine A  0:01 / 0:02" in text
    assert "\x1b" not in text and text.endswith("\r")


# ---------------------------------------------------------------- doctor


# This machine (and CI) has no sound card: the checks that should pass use ao=null,
# which opens for real, and one test shows what a device that can't open looks like.
SILENT = ("--mpv-option", "ao=null")


def test_doctor_reports_everything_ok():
    result = sadtui("doctor", *SILENT)
    assert result.returncode == 0, result.stdout
    for name in ("libmpv", "python-mpv", "yt-dlp", "JavaScript runtime", "yt-dlp-ejs",
                 "cache directory", "state directory", "log directory", "audio output"):
        assert name in result.stdout
    assert "deno" in result.stdout and "FAIL" not in result.stdout
    assert "YouTube reachable" not in result.stdout  # only with --online


def test_doctor_checks_a_playlist_given_to_it(tmp_path, songs):
    good = sadtui("doctor", "--playlist", str(songs), *SILENT)
    assert good.returncode == 0, good.stdout
    assert "playlist" in good.stdout and "4 songs" in good.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\n[[songs]]\nrank = 0\ntitle = "a"\n')
    result = sadtui("--playlist", str(bad), "doctor")
    assert result.returncode == 1
    assert "FAIL  playlist" in result.stdout and "'rank' must be a positive integer" in result.stdout


def test_doctor_json():
    result = sadtui("doctor", "--json", *SILENT)
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True
    names = [c["name"] for c in report["checks"]]
    assert names[:5] == ["python-mpv", "libmpv", "yt-dlp", "JavaScript runtime", "yt-dlp-ejs"]
    assert {"name": "auto", "description": "Autoselect device"} in report["audio_devices"]
    for check in report["checks"]:
        assert set(check) == {"name", "ok", "detail", "hint"}
        if check["name"] == "media keys (MPRIS)":  # a nicety: no session bus here is no failure
            assert check["ok"] is False and check["detail"].startswith("off: no session D-Bus")
            continue
        assert check["ok"] is True and check["hint"] is None and check["detail"]
    libmpv = next(c for c in report["checks"] if c["name"] == "libmpv")
    assert libmpv["detail"].startswith("mpv 0.")


def test_doctor_opens_the_audio_output_for_real_and_says_what_to_try():
    """ALSA with no sound card: the output can't open; exit 1 with the exact option to try."""
    result = sadtui("doctor", "--mpv-option", "ao=alsa")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    audio = next(i for i, line in enumerate(lines) if line.startswith("FAIL  audio output"))
    assert "could not open the audio output" in lines[audio]
    assert "fix: try --mpv-option audio-device=" in lines[audio + 1]
    assert 'config.toml: mpv_options = ["audio-device=' in lines[audio + 1]
    assert "ALSA lib" not in result.stdout + result.stderr  # ALSA's own noise went to the log
    report = json.loads(sadtui("doctor", "--json", "--mpv-option", "ao=alsa").stdout)
    check = next(c for c in report["checks"] if c["name"] == "audio output")
    assert check["ok"] is False and check["hint"].startswith("try --mpv-option audio-device=")
    assert report["ok"] is False


def test_doctor_fails_with_a_hint(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    result = sadtui("doctor", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    cache = next(c for c in report["checks"] if c["name"] == "cache directory")
    assert cache["ok"] is False and "XDG_CACHE_HOME" in cache["hint"]
    text = sadtui("doctor")
    assert text.returncode == 1 and "FAIL" in text.stdout and "fix: " in text.stdout
