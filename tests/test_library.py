"""The library of kept audio: real yt-dlp downloading from loopback servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from audio_support import refused_port
from sadtui.model import paths
from sadtui.model.playlist import Song
from sadtui.services.library import (
    Library,
    LibraryError,
    library_dir,
    read_index,
    song_key,
    valid_entry,
)

GOOD = {"file": "0123456789abcdef01234567-89abcdef.wav", "bytes": 10, "title": "t",
        "source": "http://127.0.0.1/a.wav", "kept_at": 1.0, "played_at": 2.0}


def song(url: str | None = None, rank: int = 1, query: str | None = None) -> Song:
    return Song(rank=rank, title=f"Song {rank}", url=url, query=query)


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in ("index.json", "index.json.lock"))


# ---------------------------------------------------------------- units


@pytest.mark.unit
def test_the_key_is_what_the_song_resolves_to():
    assert song_key(song("http://h/a.wav")) == "http://h/a.wav"
    assert song_key(song(query="one")) == "ytsearch1:one"
    assert song_key(song(query="one")) != song_key(song(query="two"))
    assert song_key(song(query="one"), pin="https://www.youtube.com/watch?v=x") == "https://www.youtube.com/watch?v=x"
    assert song_key(song("http://h/a.wav"), pin="https://p/") == "http://h/a.wav"  # the url wins
    assert song_key(song(query="one"), pin="file:///etc/passwd") == "ytsearch1:one"  # never a non-web pin


@pytest.mark.unit
@pytest.mark.parametrize(
    "change",
    [
        {"file": "../../etc/passwd"},
        {"file": "/tmp/x.wav"},
        {"file": "0123456789abcdef01234567-89abcdef.wav/x"},
        {"bytes": 0},
        {"bytes": True},
        {"bytes": 1.5},
        {"source": "file:///etc/passwd"},
        {"title": 5},
        {"kept_at": float("nan")},
        {"played_at": "x"},
    ],
)
def test_a_bad_index_entry_is_dropped(change):
    assert valid_entry(GOOD) is not None
    assert valid_entry({**GOOD, **change}) is None


@pytest.mark.unit
@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[]", b'{"version": 2, "songs": {}}', b"[" * 100000, b'{"version": 1, "songs": []}'],
)
def test_an_unreadable_index_is_empty(tmp_path, raw):
    path = tmp_path / "index.json"
    path.write_bytes(raw)
    assert read_index(path) == {}


@pytest.mark.unit
def test_the_index_keeps_good_entries_and_drops_bad_ones(tmp_path):
    path = tmp_path / "index.json"
    path.write_text(json.dumps({"version": 1, "songs": {"k": GOOD, "bad": {**GOOD, "file": "../x"}}}))
    assert list(read_index(path)) == ["k"]


@pytest.mark.unit
def test_the_library_is_in_the_data_directory():
    assert library_dir() == paths.data_dir() / "audio"
    assert str(library_dir()).startswith(os.environ["XDG_DATA_HOME"])


@pytest.mark.unit
def test_contains_only_kept_names_directly_inside(tmp_path):
    lib = Library(tmp_path / "audio")
    lib.directory.mkdir()
    inside = lib.directory / "0123456789abcdef01234567-89abcdef.wav"
    inside.write_bytes(b"x")
    assert lib.contains(inside)
    (lib.directory / "sub").mkdir()
    nested = lib.directory / "sub" / inside.name
    nested.write_bytes(b"x")
    assert not lib.contains(nested)
    assert not lib.contains(lib.directory / "sub" / ".." / "sub" / inside.name)
    other = tmp_path / inside.name
    other.write_bytes(b"x")
    assert not lib.contains(other)
    link = lib.directory / "aaaaaaaaaaaaaaaaaaaaaaaa-aaaaaaaa.wav"
    link.symlink_to(other)
    assert not lib.contains(link)  # a link inside pointing outside
    odd = lib.directory / "notes.wav"
    odd.write_bytes(b"x")
    assert not lib.contains(odd)


# ---------------------------------------------------------------- downloading (e2e)


@pytest.mark.e2e
def test_a_song_is_kept_whole_and_found_again(audio_server):
    lib = Library()
    seen = []
    s = song(audio_server.url("/long.wav"))
    kept = lib.download(s, progress=seen.append)
    body = audio_server.files["/long.wav"][0]
    assert kept.path.read_bytes() == body
    assert kept.path.parent == library_dir()
    assert kept.bytes == len(body) and kept.path.suffix == ".wav"
    assert seen and seen[-1].done == len(body) and seen[-1].total == len(body)
    # a new Library (another process) finds it from the index
    again = Library()
    assert again.path_for(s) == kept.path
    assert [k.key for k in again.all()] == [s.url]
    assert again.total_bytes() == len(body)
    assert files_in(lib.directory) == [kept.file]  # no .part, no temporary file
    # editing the song's url never plays the old file
    assert again.path_for(song(audio_server.url("/a.wav"))) is None
    # asking again does not download again
    before = audio_server.requested("/long.wav")
    assert lib.download(s).path == kept.path
    assert audio_server.requested("/long.wav") == before


@pytest.mark.e2e
def test_a_cut_download_is_not_kept(audio_server):
    lib = Library(socket_timeout=2)
    with pytest.raises(LibraryError) as err:
        lib.download(song(audio_server.url("/cut.wav")))
    assert "expected" in err.value.message or "cut" in err.value.message or "incomplete" in err.value.message
    assert lib.all() == []
    assert files_in(lib.directory) == []


@pytest.mark.e2e
def test_a_stalled_download_gives_up_in_bounded_time(audio_server):
    lib = Library(socket_timeout=1)
    started = time.monotonic()
    with pytest.raises(LibraryError):
        lib.download(song(audio_server.url("/stall-body.wav")))
    assert time.monotonic() - started < 12
    assert lib.all() == [] and files_in(lib.directory) == []


@pytest.mark.e2e
def test_a_refused_server_fails_with_one_line():
    lib = Library(socket_timeout=2)
    with pytest.raises(LibraryError) as err:
        lib.download(song(f"http://127.0.0.1:{refused_port()}/a.wav"))
    assert "refused" in err.value.message and "\n" not in err.value.message


@pytest.mark.e2e
def test_a_cancelled_download_leaves_nothing(audio_server):
    lib = Library()
    cancel = threading.Event()

    def progress(p):
        cancel.set()  # as Ctrl-C would, after the first bytes

    with pytest.raises(LibraryError, match="cancelled"):
        lib.download(song(audio_server.url("/long.wav")), progress=progress, cancel=cancel)
    assert lib.all() == [] and files_in(lib.directory) == []


@pytest.mark.e2e
def test_the_size_cap_evicts_the_least_recently_played(audio_server):
    clock = iter(range(1000, 2000))
    a, b, c = (song(audio_server.url(p), rank=i) for i, p in enumerate(("/a.wav", "/b.wav", "/c.wav"), 1))
    size = len(audio_server.files["/a.wav"][0])
    lib = Library(cap=2 * size, clock=lambda: float(next(clock)))
    kept_a = lib.download(a)
    lib.download(b)
    lib.touch(a)  # a was played after b was kept: b is the least recently played
    lib.download(c)
    assert sorted(k.key for k in lib.all()) == sorted([a.url, c.url])
    assert lib.path_for(b) is None
    assert kept_a.path.exists() and len(files_in(lib.directory)) == 2


@pytest.mark.e2e
def test_a_kept_file_that_changed_size_is_not_used(audio_server):
    lib = Library()
    s = song(audio_server.url("/a.wav"))
    kept = lib.download(s)
    with open(kept.path, "r+b") as fh:
        fh.truncate(100)
    assert lib.path_for(s) is None
    lib.drop([s])
    assert lib.all() == [] and files_in(lib.directory) == []


_KEEP = """
import sys
from sadtui.model.playlist import Song
from sadtui.services.library import Library
kept = Library().download(Song(rank=1, title="x", url=sys.argv[1]))
print(kept.file)
"""


@pytest.mark.e2e
def test_two_sadtuis_keeping_the_same_song_make_one_good_file(audio_server):
    url = audio_server.url("/long.wav")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", _KEEP, url], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    names = {out.strip() for out, _ in outs}
    assert len(names) == 1  # the second one found the first one's file
    lib = Library()
    assert len(lib.all()) == 1
    assert lib.all()[0].path.read_bytes() == audio_server.files["/long.wav"][0]
    assert files_in(lib.directory) == [names.pop()]


@pytest.mark.e2e
def test_keep_later_keeps_in_the_background(audio_server):
    lib = Library()
    changed = threading.Event()
    lib.on_change = changed.set
    s = song(audio_server.url("/b.wav"))
    lib.keep_later(s)
    assert lib.wait_idle(30)
    assert changed.is_set()
    assert lib.path_for(s) is not None


@pytest.mark.e2e
def test_stop_keeping_cancels_the_keep_under_way_and_waits_for_it(audio_server, routes, tmp_path):
    """What the engine does as it shuts down: a keep cut off by the process's exit would
    leave its pieces behind (or be inside OpenSSL while the interpreter tears down)."""
    from audio_support import sine_wav

    body = sine_wav(2.0, 440.0)
    started, release = threading.Event(), threading.Event()

    def half_then_wait(handler, server) -> None:  # the first keep: under way when it is stopped
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        started.set()
        release.wait(10)
        handler.wfile.write(body[len(body) // 2:])

    routes.routes["/slow.wav"] = half_then_wait
    lib = Library(tmp_path / "audio", keep_after=0.05)
    asked = {path: audio_server.requested(path) for path in ("/b.wav", "/c.wav")}  # the server is the module's
    first = song(routes.url("/slow.wav"), rank=1)
    waiting, later = (song(audio_server.url(f"/{name}.wav"), rank=n) for n, name in ((2, "b"), (3, "c")))
    lib.keep_later(first)
    lib.keep_later(waiting)
    assert started.wait(10)
    threading.Timer(0.3, release.set).start()
    began = time.monotonic()
    assert lib.stop_keeping(timeout=10)  # waited for the keep under way to end
    assert time.monotonic() - began < 5
    assert lib.all() == [] and files_in(lib.directory) == []  # nothing kept, no pieces
    assert audio_server.requested("/b.wav") == asked["/b.wav"]  # the waiting song was dropped, not started
    lib.keep_later(later)  # keeping goes on as usual afterwards
    assert lib.wait_idle(30)
    assert lib.path_for(later) is not None and audio_server.requested("/c.wav") == asked["/c.wav"] + 1


@pytest.mark.unit
def test_a_keep_waits_a_moment_first_and_stopping_it_then_starts_nothing(tmp_path, monkeypatch):
    """`sadtui play` after its last song: the keep asked for as it ended never begins
    (no download started only to be cut off by the process's exit)."""
    from sadtui.services import library_download

    made: list[str] = []
    monkeypatch.setattr(library_download, "fetch", lambda url, *a, **k: made.append(url))
    lib = Library(tmp_path / "audio", keep_after=30.0)
    lib.keep_later(song("http://127.0.0.1:9/a.wav"))
    time.sleep(0.2)
    began = time.monotonic()
    assert lib.stop_keeping(timeout=5)
    assert time.monotonic() - began < 0.5
    time.sleep(0.2)
    assert made == [] and lib.wait_idle(1)


@pytest.mark.unit
def test_stop_keeping_with_nothing_under_way_returns_at_once(tmp_path):
    lib = Library(tmp_path / "audio")
    began = time.monotonic()
    assert lib.stop_keeping(timeout=5)
    assert time.monotonic() - began < 0.5
