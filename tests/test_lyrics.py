"""Lyrics: the LRC parser, where lyrics come from (file, LRCLIB over loopback, the cache), the CLI."""

from __future__ import annotations

import pytest

from sadtui.model.lrc import parse_lrc

pytestmark = pytest.mark.unit


# ====================================================================== LRC parsing


def test_simple_synced_lines_in_time_order():
    lyrics = parse_lrc("[00:12.00]first\n[00:15.50]second\n[00:10.00]zeroth\n")
    assert lyrics.synced
    assert [(line.time, line.text) for line in lyrics.lines] == [(10.0, "zeroth"), (12.0, "first"), (15.5, "second")]


def test_several_timestamps_on_one_line_repeat_it():
    lyrics = parse_lrc("[00:01.00]verse\n[00:05.00][01:05.25]chorus\n[00:30.00]bridge")
    assert [(line.time, line.text) for line in lyrics.lines] == [
        (1.0, "verse"), (5.0, "chorus"), (30.0, "bridge"), (65.25, "chorus")
    ]


def test_timestamp_variants():
    lyrics = parse_lrc("[1:02]a\n[01:03.5]b\n[01:04.123]c\n[01:05:50]d")
    assert [line.time for line in lyrics.lines] == [62.0, 63.5, 64.123, 65.5]


def test_metadata_tags_are_kept_not_shown():
    lyrics = parse_lrc("[ar:Aimer]\n[ti:Kataomoi]\n[al:Daydream]\n[by:someone]\n[length: 04:10]\n[00:01.00]hello")
    assert [line.text for line in lyrics.lines] == ["hello"]
    assert lyrics.tags["ar"] == "Aimer" and lyrics.tags["ti"] == "Kataomoi" and lyrics.tags["length"] == "04:10"


def test_offset_positive_shows_lines_sooner_negative_later():
    sooner = parse_lrc("[offset:+500]\n[00:10.00]x")
    later = parse_lrc("[offset:-1500]\n[00:10.00]x")
    assert sooner.lines[0].time == pytest.approx(9.5)
    assert later.lines[0].time == pytest.approx(11.5)
    assert "offset" not in sooner.tags
    assert parse_lrc("[offset:abc]\n[00:10.00]x").lines[0].time == 10.0  # a broken offset is ignored


def test_word_timings_are_removed_words_kept():
    lyrics = parse_lrc("[00:10.00]<00:10.00>君の <00:10.50>名前<00:11.20>を\n[00:12.00] <00:12.00>呼んだ")
    assert [line.text for line in lyrics.lines] == ["君の 名前を", "呼んだ"]


def test_crlf_cr_and_bom():
    for text in ("\ufeff[00:01.00]one\r\n[00:02.00]two\r\n", "[00:01.00]one\r[00:02.00]two\r"):
        lyrics = parse_lrc(text)
        assert [(line.time, line.text) for line in lyrics.lines] == [(1.0, "one"), (2.0, "two")]


def test_plain_lyrics_keep_their_lines_and_verse_breaks():
    lyrics = parse_lrc("\ufeff\n\nfirst line\r\nsecond line\r\n\r\nnew verse\n\n")
    assert not lyrics.synced
    assert [line.text for line in lyrics.lines] == ["first line", "second line", "", "new verse"]
    assert all(line.time is None for line in lyrics.lines)
    assert lyrics.index_at(12.0) is None


def test_untimed_lines_in_a_synced_file_are_dropped_and_garbage_does_not_raise():
    lyrics = parse_lrc("[00:01.00]one\nstray text\n[xx:yy]bad\n[00:02.00]two\n[99999999:00]huge")
    assert [line.text for line in lyrics.lines] == ["one", "two"]
    assert parse_lrc("").empty and parse_lrc("\x00\x01[[[]]]").lines[0].text == "\x00\x01[[[]]]"


def test_index_at_follows_the_time_and_the_offset():
    lyrics = parse_lrc("[00:10.00]a\n[00:20.00]b\n[00:30.00]c")
    assert lyrics.index_at(None) is None
    assert lyrics.index_at(5.0) is None
    assert lyrics.index_at(10.0) == 0
    assert lyrics.index_at(19.99) == 0
    assert lyrics.index_at(20.0) == 1
    assert lyrics.index_at(500.0) == 2
    assert lyrics.index_at(20.2, offset=0.5) == 0  # lines shown 0.5 s later
    assert lyrics.index_at(19.6, offset=-0.5) == 1  # 0.5 s sooner


def test_to_lrc_round_trips():
    lyrics = parse_lrc("[00:01.5]one\n[01:02.25]two")
    assert parse_lrc(lyrics.to_lrc()).lines == lyrics.lines
    assert lyrics.to_lrc().splitlines()[0] == "[00:01.50]one"


def test_line_cap():
    lyrics = parse_lrc("".join(f"[00:{i % 60:02d}.00]x\n" for i in range(20000)))
    assert len(lyrics.lines) == 5000


# ====================================================================== where lyrics come from

from pathlib import Path  # noqa: E402

from lyrics_server import LyricsServer  # noqa: E402
from sadtui.model.playlist import PlaylistError, Song, load_playlist  # noqa: E402
from sadtui.services.lyrics import LyricsFinder, lyrics_dir  # noqa: E402


@pytest.fixture(scope="module")
def lrclib():
    with LyricsServer() as server:
        yield server


def finder(server: LyricsServer, **kwargs) -> LyricsFinder:
    kwargs.setdefault("timeout", 0.5)
    kwargs.setdefault("sleep", lambda seconds: None)
    return LyricsFinder(base_url=server.url, **kwargs)


def song(title: str, artist: str | None = "Test", **kwargs) -> Song:
    return Song(rank=1, title=title, artist=artist, **kwargs)


def test_exact_match_by_title_artist_and_duration_is_synced_and_kept(lrclib):
    lrclib.requests.clear()
    found = finder(lrclib).find(song("Exact one"), duration=200.4)
    assert found is not None and found.source == "lrclib" and found.lyrics.synced
    assert [line.text for line in found.lyrics.lines] == ["君の名前を", "second line", "third line"]
    assert lrclib.requests[0].startswith("/api/get?") and "duration=200" in lrclib.requests[0]
    assert "artist_name=Test" in lrclib.requests[0]
    assert list(lyrics_dir().glob("*.json"))  # kept under the data directory
    lrclib.requests.clear()
    again = finder(lrclib).find(song("Exact one"))
    assert again is not None and again.source == "kept" and again.lyrics.lines == found.lyrics.lines
    assert lrclib.requests == []  # offline-capable: the service is not asked again


def test_synced_only_comes_from_the_search_preferring_the_closer_duration(lrclib):
    found = finder(lrclib).find(song("SyncedOnly x"), duration=199)
    assert found is not None and found.lyrics.synced and found.lyrics.lines[0].time == 1.0


def test_plain_only(lrclib):
    found = finder(lrclib).find(song("PlainOnly y"))
    assert found is not None and not found.lyrics.synced
    assert [line.text for line in found.lyrics.lines] == ["君の名前を", "second line", "third line"]


def test_not_found_without_artist_searches_only(lrclib):
    lrclib.requests.clear()
    f = finder(lrclib)
    assert f.find(song("Nothing here", artist=None)) is None
    assert [r.split("?")[0] for r in lrclib.requests] == ["/api/search"]
    assert f.last_error is None  # not found is no error
    assert not list(lyrics_dir().glob("*.json"))


def test_slow_service_times_out_with_bounded_retries(lrclib):
    lrclib.requests.clear()
    lrclib.slow_seconds = 1.0
    f = finder(lrclib, timeout=0.2, retries=1)
    import time

    started = time.monotonic()
    assert f.find(song("Slow z")) is None
    assert time.monotonic() - started < 2.0
    assert "timed out" in (f.last_error or "")
    assert len(lrclib.requests) == 2  # one try and one retry of /api/get; no search after a timeout


def test_garbage_json_is_no_lyrics(lrclib):
    f = finder(lrclib)
    assert f.find(song("Garbage g")) is None
    assert "not JSON" in (f.last_error or "")


def test_a_50_mb_answer_is_refused_after_the_cap(lrclib):
    f = finder(lrclib, max_bytes=64 * 1024)
    assert f.find(song("Huge h")) is None
    assert "too large" in (f.last_error or "")


def test_offline_finder_never_asks(lrclib):
    lrclib.requests.clear()
    assert finder(lrclib, online=False).find(song("Exact offline")) is None
    assert lrclib.requests == []


def test_unreachable_service_is_no_lyrics():
    f = LyricsFinder(base_url="http://127.0.0.1:9", timeout=0.5, retries=1, sleep=lambda s: None)
    assert f.find(song("Exact")) is None
    assert "cannot reach" in (f.last_error or "")


def test_the_songs_own_lyrics_file_wins(tmp_path, lrclib):
    (tmp_path / "words").mkdir()
    (tmp_path / "words" / "one.lrc").write_text("\ufeff[00:05.00]from the file\r\n", encoding="utf-8")
    playlist = tmp_path / "list.toml"
    playlist.write_text('title = "t"\n[[songs]]\nrank = 1\ntitle = "Exact"\nartist = "Test"\nlyrics = "words/one.lrc"\n')
    loaded = load_playlist(playlist).songs[0]
    assert loaded.lyrics == "words/one.lrc"
    lrclib.requests.clear()
    found = finder(lrclib).find(loaded, playlist)
    assert found is not None and found.source == "file"
    assert [(line.time, line.text) for line in found.lyrics.lines] == [(5.0, "from the file")]
    assert lrclib.requests == []


def test_a_missing_or_escaping_lyrics_file_falls_through(tmp_path, lrclib):
    outside = tmp_path / "outside.lrc"
    outside.write_text("[00:01.00]secret")
    inner = tmp_path / "list"
    inner.mkdir()
    (inner / "link.lrc").symlink_to(outside)
    playlist = inner / "list.toml"
    playlist.write_text("")
    for name in ("missing.lrc", "link.lrc"):
        found = finder(lrclib, online=False).find(song("PlainOnly f", lyrics=name), playlist)
        assert found is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"/etc/passwd"', "relative"),
        ('"~/x.lrc"', "relative"),
        ('"../x.lrc"', "inside"),
        ('"a/../../x.lrc"', "inside"),
        ('""', "empty"),
        ("3", "string"),
        ('"a\\u001b.lrc"', "control"),
    ],
)
def test_the_lyrics_field_is_checked(tmp_path, value, problem):
    playlist = tmp_path / "list.toml"
    playlist.write_text(f'title = "t"\n[[songs]]\nrank = 2\ntitle = "x"\nlyrics = {value}\n')
    with pytest.raises(PlaylistError) as info:
        load_playlist(playlist)
    assert "songs[1] (rank 2)" in str(info.value) and problem in str(info.value)
    assert "\n" not in str(info.value)


def test_playlist_cache_keeps_the_lyrics_field(tmp_path):
    from sadtui.model import playlist as model

    data = 'title = "t"\n' + "".join(
        f'[[songs]]\nrank = {i}\ntitle = "song {i} {"x" * 200}"\nlyrics = "l/{i}.lrc"\n' for i in range(1, 1500)
    )
    path = tmp_path / "big.toml"
    path.write_text(data)
    assert len(data) > model.CACHE_MIN_BYTES
    first = load_playlist(path)
    second = load_playlist(path)  # from the parse cache
    assert second.songs[4].lyrics == first.songs[4].lyrics == "l/5.lrc"


def test_lyrics_dir_is_under_the_data_dir():
    from sadtui.model import paths

    assert lyrics_dir().parent == Path(paths.data_dir())


# ====================================================================== sadtui lyrics RANK


def _cli_playlist(tmp_path: Path) -> Path:
    (tmp_path / "one.lrc").write_text("[00:01.00]line \x1b[31mred\n[00:02.00]two\n", encoding="utf-8")
    playlist = tmp_path / "list.toml"
    playlist.write_text(
        'title = "t"\n[[songs]]\nrank = 1\ntitle = "Own"\nlyrics = "one.lrc"\n'
        '[[songs]]\nrank = 2\ntitle = "Exact cli"\nartist = "Test"\n'
        '[[songs]]\nrank = 3\ntitle = "Nothing cli"\nartist = "Test"\n'
    )
    return playlist


def test_cli_prints_lyrics_plain_and_lrc_escaped(tmp_path, capsys, monkeypatch, lrclib):
    from sadtui.cli.main import main

    monkeypatch.setenv("SADTUI_LYRICS_URL", lrclib.url)
    playlist = _cli_playlist(tmp_path)
    assert main(["lyrics", "1", "--playlist", str(playlist)]) == 0
    out = capsys.readouterr().out
    assert out == "line \\x1b[31mred\ntwo\n"  # the escape character shown, not sent
    assert main(["lyrics", "1", "--lrc", "--playlist", str(playlist)]) == 0
    assert capsys.readouterr().out.splitlines() == ["[00:01.00]line \\x1b[31mred", "[00:02.00]two"]
    assert main(["lyrics", "2", "--playlist", str(playlist)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "君の名前を"


def test_cli_not_found_offline_and_bad_rank(tmp_path, capsys, monkeypatch, lrclib):
    from sadtui.cli.main import main

    monkeypatch.setenv("SADTUI_LYRICS_URL", lrclib.url)
    playlist = _cli_playlist(tmp_path)
    assert main(["lyrics", "3", "--playlist", str(playlist)]) == 1
    err = capsys.readouterr().err
    assert err == "sadtui: no lyrics found for #3 Nothing cli\n"
    lrclib.requests.clear()
    assert main(["lyrics", "2", "--offline", "--playlist", str(playlist)]) == 1
    assert lrclib.requests == []
    capsys.readouterr()
    assert main(["lyrics", "9", "--playlist", str(playlist)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no song with rank 9" in err


def test_config_lyrics_and_artwork_settings(tmp_path):
    from sadtui.model.config import ConfigError, load_config

    path = tmp_path / "config.toml"
    path.write_text('lyrics_online = false\nlyrics_url = "http://127.0.0.1:1"\nartwork = false\n')
    config = load_config(path)
    assert (config.lyrics_online, config.lyrics_url, config.artwork) == (False, "http://127.0.0.1:1", False)
    assert load_config(tmp_path / "none.toml").artwork is True
    for bad in ('artwork = "yes"', 'lyrics_url = "file:///etc/passwd"', "lyrics_online = 1"):
        path.write_text(bad + "\n")
        with pytest.raises(ConfigError):
            load_config(path)


# ====================================================================== romaji


def test_romaji_on_known_lines_with_pykakasi():
    from sadtui.services.romaji import has_japanese, romanize

    lines = ["君の名前を呼んだ", "second line", "", "ありがとう", "カタカナ"]
    out = romanize(lines, backend="pykakasi")
    assert out[1] is None and out[2] is None
    assert out[0] is not None and "namae" in out[0] and "yon" in out[0]
    assert out[3] == "arigatou"
    assert out[4] == "katakana"
    assert has_japanese("夜空") and not has_japanese("Yozora")
    assert romanize(["no japanese", "at all"]) == [None, None]


def test_romaji_with_cutlet_when_installed():
    pytest.importorskip("cutlet")
    from sadtui.services.romaji import romanize

    assert romanize(["君の名前を呼んだ"], backend="cutlet")[0] == "Kimi no namae wo yonda"


# ====================================================================== artwork


def _image_bytes(fmt: str, size=(600, 400)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture(scope="module")
def art_server():
    with LyricsServer() as server:
        server.images.update({
            "a.png": ("image/png", _image_bytes("PNG")),
            "a.jpg": ("image/jpeg", _image_bytes("JPEG")),
            "a.webp": ("image/webp", _image_bytes("WEBP")),
            "broken.jpg": ("image/jpeg", _image_bytes("JPEG")[:200]),
            "text.png": ("image/png", b"<html>not an image</html>"),
            "huge.png": ("image/png", _image_bytes("PNG", (5000, 5000))),
        })
        yield server


@pytest.mark.parametrize("name", ["a.png", "a.jpg", "a.webp"])
def test_artwork_is_fetched_scaled_and_kept(art_server, name):
    from sadtui.services import artwork

    url = f"{art_server.url}/art/{name}"
    image = artwork.load(url, timeout=1, retries=0)
    assert image is not None and max(image.size) == artwork.MAX_SIDE and image.size == (256, 171)
    assert artwork.kept_path(url).is_file()
    art_server.requests.clear()
    again = artwork.load(url, timeout=1, retries=0)
    assert again is not None and again.size == image.size
    assert art_server.requests == []  # from the kept copy


@pytest.mark.parametrize("name", ["broken.jpg", "text.png", "huge.png", "missing.png"])
def test_a_broken_or_oversized_image_is_ignored(art_server, name):
    from sadtui.services import artwork

    url = f"{art_server.url}/art/{name}"
    assert artwork.load(url, timeout=1, retries=0) is None
    assert not artwork.kept_path(url).exists()


def test_artwork_size_cap_and_non_web_addresses(art_server):
    from sadtui.services import artwork

    assert artwork.load(f"{art_server.url}/art/a.png", timeout=1, retries=0, max_bytes=100) is None
    for url in (None, "", "file:///etc/passwd", "data:image/png;base64,AAAA", "/tmp/x.png"):
        assert artwork.load(url) is None
