"""Songs with a `path`: a user's own local files in a ranked list (issue 13).

The playlist file names them (relative to its folder); they play as local files
through `Player.load_local`, the second narrow way past mpv's web-only hook (the
first is the library of kept audio). A page, a remote playlist or a later load
still cannot make mpv open a local file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audio_support import cli_mpv_args, entry_ended, pcm_player, read_pcm, send_body, sine_wav
from audio_support import pcm_options as _pcm_options
from sadtui.model.playlist import PlaylistError, load_playlist
from sadtui.services.player import NON_WEB_ADDRESS, PlayerError

SADTUI = Path(sys.executable).with_name("sadtui")


def _sadtui(*args, timeout=60):
    return subprocess.run([str(SADTUI), *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env={**os.environ})


@pytest.fixture
def music(tmp_path):
    folder = tmp_path / "music"
    folder.mkdir()
    (folder / "tone.wav").write_bytes(sine_wav(1.5, 440.0))
    playlist = tmp_path / "mine.toml"
    playlist.write_text('title = "Mine"\n[[songs]]\nrank = 1\ntitle = "Tone"\npath = "music/tone.wav"\n'
                        '[[songs]]\nrank = 2\ntitle = "Gone"\npath = "music/missing.wav"\n')
    return playlist


# ---------------------------------------------------------------- the loader


@pytest.mark.unit
def test_a_relative_path_is_resolved_from_the_playlists_folder(music, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path.parent)  # not from the current directory
    playlist = load_playlist(music)
    assert playlist.song(1).path == str((music.parent / "music" / "tone.wav").resolve())
    assert playlist.song(1).to_json()["path"] == playlist.song(1).path


@pytest.mark.unit
@pytest.mark.parametrize(("line", "problem"), [
    ('path = "https://a.example/x.mp3"', "'path' is a local file; a web address goes in 'url'"),
    ('path = "x.wav"\nurl = "https://a.example/x.mp3"', "give 'url' or 'path', not both"),
    ('path = ""', "'path' must not be empty"),
    ('path = 3', "'path' must be a string"),
    ('path = "a\\u202eb.wav"', "'path' contains an invisible formatting character"),
])
def test_bad_paths_are_one_line(tmp_path, line, problem):
    file = tmp_path / "bad.toml"
    file.write_text(f'title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\n{line}\n')
    with pytest.raises(PlaylistError) as info:
        load_playlist(file)
    assert problem in str(info.value) and "\n" not in str(info.value)


# ---------------------------------------------------------------- playing them


@pytest.mark.e2e
def test_sadtui_play_plays_a_local_file_and_names_a_missing_one(music, tmp_path):
    out = tmp_path / "out.raw"
    result = _sadtui("play", "1", "2", "--playlist", str(music), *cli_mpv_args([*_pcm_options(out), "ao-pcm-append=yes"]))
    assert result.returncode == 1  # song 2 failed
    assert read_pcm(out)[0] == pytest.approx(1.5, abs=0.2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and 'song 2 "Gone"' in lines[0] and "not a playable local file" in lines[0]
    assert "missing.wav" in lines[0]


@pytest.fixture
def player(tmp_path):
    with pcm_player(tmp_path) as player:
        yield player


@pytest.mark.e2e
@pytest.mark.parametrize("line", ["{path}", "file://{path}"])
def test_after_a_local_song_a_page_still_cannot_open_that_file(player, tmp_path, routes, line):
    tone = tmp_path / "tone.wav"
    tone.write_bytes(sine_wav(1.0, 440.0))
    entry = player.load_local(str(tone.resolve()))
    assert entry_ended(player, entry).reason == "eof"
    before = read_pcm(player.out)[0]
    assert before == pytest.approx(1.0, abs=0.15)
    routes.routes["/local.m3u"] = send_body(("#EXTM3U\n" + line.format(path=tone.resolve()) + "\n").encode(),
                                            "audio/x-mpegurl")
    url = routes.url("/local.m3u")
    entry = player.load(url)
    ended = entry_ended(player, entry)
    assert player.explain(entry, url=url, reason=ended.reason, error=ended.error) == NON_WEB_ADDRESS
    assert read_pcm(player.out)[0] == pytest.approx(before, abs=0.05)  # nothing more was played


@pytest.mark.e2e
def test_load_local_takes_only_a_canonical_regular_file(player, tmp_path):
    tone = tmp_path / "tone.wav"
    tone.write_bytes(sine_wav(0.5, 440.0))
    link = tmp_path / "link.wav"
    link.symlink_to(tone)
    fifo = tmp_path / "fifo.wav"
    os.mkfifo(fifo)
    for bad in (str(link), str(fifo), str(tmp_path), "relative.wav", str(tmp_path / "none.wav"),
                f"{tmp_path}/../{tmp_path.name}/tone.wav"):
        with pytest.raises(PlayerError, match="not a playable local file"):
            player.load_local(bad)
    assert not player.is_open  # refused before mpv starts


# ---------------------------------------------------------------- import and export


@pytest.mark.e2e
def test_a_local_m3u_imports_its_files_as_paths_and_exports_them_back(tmp_path):
    folder = tmp_path / "music"
    folder.mkdir()
    (folder / "one.wav").write_bytes(sine_wav(0.3, 440.0))
    m3u = folder / "mine.m3u"
    m3u.write_text("#EXTM3U\n#EXTINF:1,Me - One\none.wav\n#EXTINF:1,Me - Gone\ngone.wav\n")
    out = tmp_path / "mine.toml"
    result = _sadtui("import", str(m3u), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "1 song, 1 skipped (local files that are not there)" in result.stdout
    songs = json.loads(_sadtui("list", "--json", "--playlist", str(out)).stdout)
    assert songs[0]["path"] == str((folder / "one.wav").resolve()) and songs[0]["url"] is None
    exported = _sadtui("export", "--format", "m3u", "--playlist", str(out)).stdout
    assert str((folder / "one.wav").resolve()) in exported
    xspf = _sadtui("export", "--format", "xspf", "--playlist", str(out)).stdout
    assert (folder / "one.wav").resolve().as_uri() in xspf


@pytest.mark.e2e
def test_a_remote_playlist_never_names_a_local_file(tmp_path, routes):
    secret = tmp_path / "secret.wav"
    secret.write_bytes(sine_wav(0.3, 440.0))
    routes.routes["/evil.m3u"] = send_body(f"#EXTM3U\n{secret}\nfile://{secret}\n".encode(), "audio/x-mpegurl")
    out = tmp_path / "evil.toml"
    result = _sadtui("import", routes.url("/evil.m3u"), "-o", str(out))
    assert result.returncode == 2 and "local files named by a web address" in result.stderr
    assert not out.exists()
