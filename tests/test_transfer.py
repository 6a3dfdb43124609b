"""`sadtui import` and `sadtui export`, run as the real command (files and a loopback server)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SADTUI = Path(sys.executable).with_name("sadtui")

M3U = "#EXTM3U\n#PLAYLIST:Rainy Day Songs\n#EXTINF:1,Aimer - Kataomoi\nhttps://a.example/x.mp3\n/local/file.mp3\n"


def run(*args: str, timeout: float = 60):
    return subprocess.run([str(SADTUI), *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env={**os.environ})


@pytest.fixture
def served():
    """A loopback server: path -> (status, body)."""
    routes: dict[str, tuple[int, bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            status, body = routes.get(self.path, (404, b"no"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield routes, base
    server.shutdown()
    server.server_close()


def _lists_dir() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "sadtui" / "playlists"


def test_import_a_file_into_the_library_of_lists_then_play_it_by_list(tmp_path):
    source = tmp_path / "rain.m3u"
    source.write_text(M3U)
    result = run("import", str(source))
    assert result.returncode == 0, result.stderr
    target = _lists_dir() / "rainy-day-songs.toml"
    assert result.stdout.strip() == f"1 song, 1 skipped (local files that are not there) → {target}"
    listed = run("list", "--playlist", str(target))
    assert listed.returncode == 0 and "Kataomoi" in listed.stdout
    again = run("import", str(source))  # never overwrites another list
    assert again.returncode == 0 and again.stdout.strip().endswith("rainy-day-songs-2.toml")


def test_import_from_an_http_url_with_output(served, tmp_path):
    routes, base = served
    routes["/mine.xspf"] = (200, (
        b'<?xml version="1.0"?><playlist version="1" xmlns="http://xspf.org/ns/0/"><title>X</title><trackList>'
        b"<track><location>http://127.0.0.1/a.mp3</location><title>A</title><creator>B</creator></track>"
        b"</trackList></playlist>"))
    out = tmp_path / "x.toml"
    result = run("import", f"{base}/mine.xspf", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f'source = "{base}/mine.xspf"' in out.read_text()


@pytest.mark.parametrize(("name", "body", "problem"), [
    ("empty.m3u", b"", "is empty"),
    ("binary.bin", b"\x00\x01\x02\xff" * 100, "binary"),
    ("notes.txt", b"Just words, nothing numbered.\n", "nothing numbered in it: not a ranked list"),
    ("local.m3u", b"#EXTM3U\n/nonexistent/a.mp3\n/nonexistent/b.mp3\n", "no song to import (skipped: 2 local files that are not there"),
    ("bomb.xspf", b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]>'
     b'<playlist version="1" xmlns="http://xspf.org/ns/0/"><title>&b;</title><trackList/></playlist>', "refused"),
    ("broken.xspf", b"<playlist><trackList>", "not well-formed XML"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, name, body, problem):
    source = tmp_path / name
    source.write_bytes(body)
    out = tmp_path / "out.toml"
    result = run("import", str(source), "-o", str(out))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and problem in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() and not _lists_dir().exists()


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path):
    source = tmp_path / "huge.m3u"
    with source.open("wb") as fh:
        fh.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper
    result = run("import", str(source))
    assert result.returncode == 2 and "too large" in result.stderr


def test_import_errors_from_the_network_are_one_line(served):
    routes, base = served
    result = run("import", f"{base}/missing.m3u")
    assert result.returncode == 2 and "HTTP 404" in result.stderr and result.stderr.count("\n") == 1
    result = run("import", "ftp://127.0.0.1/x.m3u")
    assert result.returncode == 2 and "only files and http(s) URLs" in result.stderr


def test_export_then_import_round_trip_through_the_commands(tmp_path):
    exported = tmp_path / "all.xspf"
    assert run("export", "--format", "xspf", "-o", str(exported)).returncode == 0
    back = tmp_path / "back.toml"
    result = run("import", str(exported), "-o", str(back))
    assert result.returncode == 0 and result.stdout.startswith("26 songs")
    original = run("list", "--json").stdout
    again = run("list", "--json", "--playlist", str(back)).stdout
    import json

    keys = ("rank", "title", "anime", "artist", "query", "url")
    assert [{k: s[k] for k in keys} for s in json.loads(again)] == [{k: s[k] for k in keys} for s in json.loads(original)]


def test_export_bad_rank_is_exit_2():
    result = run("export", "99", "--format", "m3u")
    assert result.returncode == 2 and "no song with rank 99" in result.stderr
    result = run("export", "--format", "wav")
    assert result.returncode == 2


SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "saddest-anime-songs-article.txt"


def test_the_ranked_article_imports_with_its_summary_line(tmp_path):
    if not SEED.is_file():
        pytest.skip("the article is not beside this checkout")
    result = run("import", str(SEED))
    target = _lists_dir() / "top-heart-touching-saddest-anime-songs-that-will-make-you.toml"
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"26 songs, 7 questions, intro, closing word → {target}"


def test_lists_shows_the_default_list_and_the_imported_ones(tmp_path):
    import json

    source = tmp_path / "rain.m3u"
    source.write_text(M3U)
    assert run("import", str(source)).returncode == 0
    (_lists_dir() / "broken.toml").write_text("title = 3\n")
    result = run("lists", "--json")
    assert result.returncode == 0
    rows = json.loads(result.stdout)
    assert [r["title"] for r in rows] == ["Saddest Anime Songs That Will Make You Cry, Ranked", "Rainy Day Songs"]
    assert rows[1] == {"file": str(_lists_dir() / "rainy-day-songs.toml"), "title": "Rainy Day Songs", "songs": 1,
                       "source": None}
    assert result.stderr.count("\n") == 1 and "broken.toml" in result.stderr
    text = run("lists")
    assert "Rainy Day Songs  ·  1 song\n" in text.stdout
