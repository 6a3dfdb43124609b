"""`sadtui download` and `sadtui library`: the real command against loopback servers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from audio_support import RouteServer, refused_port, sine_wav, wait_until, write_playlist

pytestmark = pytest.mark.e2e

SADTUI = Path(sys.executable).with_name("sadtui")


def run(*args: str, timeout: float = 60):
    return subprocess.run([str(SADTUI), *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env={**os.environ})


def audio_dir() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "sadtui" / "audio"


def kept_files() -> list[str]:
    d = audio_dir()
    return sorted(p.name for p in d.iterdir() if not p.name.startswith("index.json")) if d.exists() else []


@pytest.fixture
def playlist(tmp_path, audio_server):
    return write_playlist(tmp_path / "l.toml", [
        ("First", audio_server.url("/a.wav")),
        ("Second", audio_server.url("/b.wav")),
        ("Third", audio_server.url("/long.wav")),
    ])


def test_download_keeps_songs_quietly_and_library_lists_them(playlist, audio_server):
    done = run("download", "1", "3", "--playlist", str(playlist))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""  # not a terminal: nothing but errors
    assert len(kept_files()) == 2
    listed = run("library", "--json", "--playlist", str(playlist))
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    sizes = [len(audio_server.files[p][0]) for p in ("/a.wav", "/long.wav")]
    assert data["total_bytes"] == sum(sizes)
    assert [(s["rank"], s["title"], s["bytes"]) for s in data["songs"]] == [(1, "First", sizes[0]), (3, "Third", sizes[1])]
    assert all(Path(s["path"]).parent == audio_dir() and Path(s["path"]).is_file() for s in data["songs"])
    assert data["songs"][0]["source"] == audio_server.url("/a.wav")
    text = run("library", "--playlist", str(playlist))
    assert text.returncode == 0 and "2 of 3 songs kept" in text.stdout and "Third" in text.stdout
    cleared = run("library", "--clear", "1", "--playlist", str(playlist))
    assert cleared.returncode == 0 and "removed 1" in cleared.stdout
    assert [s["rank"] for s in json.loads(run("library", "--json", "--playlist", str(playlist)).stdout)["songs"]] == [3]
    assert len(kept_files()) == 1
    assert run("library", "--clear", "--playlist", str(playlist)).returncode == 0
    assert kept_files() == []


def test_download_all_and_a_failure_is_one_line_and_exit_1(tmp_path, audio_server):
    bad = write_playlist(tmp_path / "bad.toml", [
        ("Good", audio_server.url("/c.wav")),
        ("Gone", f"http://127.0.0.1:{refused_port()}/x.wav"),
        ("Missing", audio_server.url("/404")),
    ])
    done = run("download", "--all", "--playlist", str(bad))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2, done.stderr
    assert any(line.startswith('sadtui: song 2 "Gone": connection refused') for line in lines)
    assert any(line.startswith('sadtui: song 3 "Missing": ') and "404" in line for line in lines)
    assert len(kept_files()) == 1


@pytest.mark.parametrize(
    ("args", "text"),
    [(("download",), "--all"), (("download", "9"), "no song with rank 9"), (("download", "x"), "rank"),
     (("download", "1", "--all"), "not both"), (("library", "2"), "--clear")],
)
def test_bad_usage_is_one_line_and_exit_2(playlist, args, text):
    done = run(*args, "--playlist", str(playlist))
    assert done.returncode == 2
    assert text in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_ctrl_c_leaves_no_partial_file_kept(tmp_path):
    release = threading.Event()
    body = sine_wav(10.0)

    def half_then_stall(handler, server):  # some bytes, then nothing until the test ends
        handler.send_response(200)
        handler.send_header("Content-Type", "audio/wav")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 3])
        handler.wfile.flush()
        release.wait(30)

    routes = RouteServer()
    routes.routes["/one.wav"] = routes.routes["/two.wav"] = half_then_stall
    stalled = write_playlist(tmp_path / "s.toml", [("Stalls", routes.url("/one.wav")), ("Also", routes.url("/two.wav"))])
    proc = subprocess.Popen([str(SADTUI), "download", "--all", "--playlist", str(stalled)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        wait_until(lambda: any(n.startswith(".dl-") for n in kept_files()), timeout=20, what="downloads under way")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
        release.set()
        routes.close()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert kept_files() == []  # no partial file, nothing counted as kept
