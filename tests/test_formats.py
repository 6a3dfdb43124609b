"""Playlist formats in and out: M3U, PLS, XSPF (with its conformance suite), JSPF."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from sadtui.model.formats import FormatError, Imported, to_toml
from sadtui.model.formats.export import export
from sadtui.model.formats.playlists import LOCAL_SKIP, parse_playlist
from sadtui.model.playlist import default_playlist_path, load_playlist

pytestmark = pytest.mark.unit

SUITE = Path(__file__).resolve().parents[1].parent / "shared" / "xspf-testsuite" / "version_1"


def _loads(imported: Imported, tmp_path: Path):
    """The loader is the judge: the TOML an import writes must load."""
    path = tmp_path / "imported.toml"
    path.write_text(to_toml(imported), encoding="utf-8")
    return load_playlist(path)


# ---------------------------------------------------------------- XSPF conformance suite


def _suite(kind: str) -> list[Path]:
    if not SUITE.is_dir():
        pytest.skip("the XSPF test suite is not beside this checkout")
    return sorted((SUITE / kind).glob("*.xspf"))


def test_every_pass_file_of_the_xspf_suite_is_taken(tmp_path):
    files = _suite("pass")
    assert len(files) > 40
    with_songs = 0
    for path in files:
        imported = parse_playlist(path.read_bytes(), path.name)  # never raises for a valid file
        assert imported is not None, path.name
        if imported.entries:
            with_songs += 1
            playlist = _loads(imported, tmp_path)
            assert len(playlist.songs) == len(imported.entries)
    assert with_songs >= 3


def test_the_extensive_track_maps_title_creator_album_annotation(tmp_path):
    path = next(p for p in _suite("pass") if p.name == "track-extensive.xspf")
    playlist = _loads(parse_playlist(path.read_bytes(), path.name), tmp_path)
    (song,) = playlist.songs
    assert (song.rank, song.title, song.artist, song.anime) == (1, "My Way", "Frank Sinatra", "Frank Sinatra's Greatest Hits")
    assert song.url == "http://example.com/my.mp3"
    assert song.description == "This is my theme song."


def test_whitespace_in_a_location_is_collapsed_not_fatal(tmp_path):
    path = next(p for p in _suite("pass") if p.name == "track-whitespace-in-between.xspf")
    playlist = _loads(parse_playlist(path.read_bytes(), path.name), tmp_path)
    assert playlist.songs[0].url == "http://example.com/%20line_two/%20line_three/"


def test_relative_paths_are_counted_as_skipped_local_files():
    path = next(p for p in _suite("pass") if p.name == "playlist-relative-paths.xspf")
    imported = parse_playlist(path.read_bytes(), path.name)
    assert imported.entries == []
    assert imported.skipped == {LOCAL_SKIP: 3}


def test_every_fail_file_gets_a_sane_import_or_one_clear_line(tmp_path):
    files = _suite("fail")
    assert len(files) > 40
    refused = 0
    for path in files:
        try:
            imported = parse_playlist(path.read_bytes(), path.name)
        except FormatError as exc:
            message = str(exc)
            assert "\n" not in message and message.startswith("not "), (path.name, message)
            refused += 1
            continue
        if imported.entries:
            _loads(imported, tmp_path)
    assert refused >= 3  # missing trackList, wrong root, wrong namespace


# ---------------------------------------------------------------- hostile XML

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<playlist version="1" xmlns="http://xspf.org/ns/0/"><title>&lol3;</title><trackList/></playlist>"""


def test_billion_laughs_is_refused_in_one_line():
    with pytest.raises(FormatError, match="^refused: .*entities") as info:
        parse_playlist(BILLION_LAUGHS, "bomb.xspf")
    assert "\n" not in str(info.value)


def test_external_entities_are_refused_and_nothing_is_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<playlist version="1" xmlns="http://xspf.org/ns/0/"><trackList><track>'
        "<location>http://127.0.0.1/a.mp3</location><title>&x;</title></track></trackList></playlist>"
    ).encode()
    with pytest.raises(FormatError, match="^refused: "):
        parse_playlist(xxe, "xxe.xspf")


@pytest.mark.parametrize("data", [b"<playlist", b"\x00\x01\x02binary", b"<?xml version='1.0'?><a><b></a>"])
def test_broken_xml_and_binary_are_one_line(data):
    with pytest.raises(FormatError) as info:
        parse_playlist(data, "broken.xspf")
    assert "\n" not in str(info.value)


# ---------------------------------------------------------------- M3U, PLS, JSPF as players write them

VLC_M3U = """#EXTM3U
#EXTINF:245,Aimer - Kataomoi
https://media.example/kataomoi.mp3
#EXTINF:-1,Unravel
http://127.0.0.1:8000/unravel.opus
/home/me/Music/local.flac
file:///home/me/Music/other.ogg
rtsp://cam.example/stream
"""

FOOBAR_M3U8 = "\ufeff#EXTM3U\r\n#EXTINF:201,nano – Silver Sky\r\nhttps://a.example/silver%20sky.m4a\r\nC:\\Music\\song.mp3\r\n"

AUDACIOUS_PLS = """[playlist]
NumberOfEntries=3
File1=https://radio.example/stream.mp3
Title1=Radio One
Length1=-1
File2=song.ogg
File3=http://127.0.0.1/x.wav
"""

JSPF = json.dumps({
    "playlist": {
        "title": "Mine",
        "track": [
            {"location": ["http://127.0.0.1/a.mp3"], "title": "A", "creator": "Artist", "album": "Show"},
            {"location": "https://b.example/b.ogg"},
            {"title": "Searched only"},
            "junk",
            {},
        ],
    }
})


def test_vlc_m3u(tmp_path):
    imported = parse_playlist(VLC_M3U.encode(), "vlc.m3u")
    assert [(e.artist, e.title, e.url) for e in imported.entries] == [
        ("Aimer", "Kataomoi", "https://media.example/kataomoi.mp3"),
        (None, "Unravel", "http://127.0.0.1:8000/unravel.opus"),
    ]
    assert imported.skipped_count == 3  # two local files, one rtsp
    assert [s.rank for s in _loads(imported, tmp_path).songs] == [1, 2]


def test_foobar_m3u8_with_bom_crlf_and_an_en_dash(tmp_path):
    imported = parse_playlist(FOOBAR_M3U8.encode(), "list.m3u8")
    (entry,) = imported.entries
    assert (entry.artist, entry.title) == ("nano", "Silver Sky")
    assert imported.skipped == {LOCAL_SKIP: 1}


def test_audacious_pls(tmp_path):
    imported = parse_playlist(AUDACIOUS_PLS.encode(), "radio.pls")
    assert [(e.title, e.url) for e in imported.entries] == [
        ("Radio One", "https://radio.example/stream.mp3"),
        ("x", "http://127.0.0.1/x.wav"),  # no title: the file name
    ]
    assert imported.skipped == {LOCAL_SKIP: 1}


def test_jspf_counts_what_it_skips(tmp_path):
    imported = parse_playlist(JSPF.encode(), "mine.jspf")
    assert imported.title == "Mine"
    assert [e.title for e in imported.entries] == ["A", "b", "Searched only"]
    assert imported.entries[0].anime == "Show"
    assert imported.skipped_count == 2
    assert _loads(imported, tmp_path).title == "Mine"


def test_outside_text_loses_its_control_and_bidi_characters(tmp_path):
    m3u = "#EXTM3U\n#EXTINF:1,Evil\x1b]0;pwned\x07 \u202eTitle\nhttp://127.0.0.1/a.mp3\n"
    playlist = _loads(parse_playlist(m3u.encode(), "evil.m3u"), tmp_path)
    assert playlist.songs[0].title == "Evil ]0;pwned Title"


def test_something_that_is_no_playlist_is_left_to_the_caller():
    assert parse_playlist(b"Just some text.\n", "notes.txt") is None


# ---------------------------------------------------------------- export, and back


@pytest.mark.parametrize(("fmt", "name"), [("m3u", "x.m3u"), ("xspf", "x.xspf")])
def test_export_then_import_gives_back_the_same_songs(fmt, name, tmp_path):
    original = load_playlist(default_playlist_path())
    text = export(original, fmt)
    again = _loads(parse_playlist(text.encode(), name), tmp_path)
    assert [(s.rank, s.title, s.artist, s.anime, s.url, s.search_terms) for s in again.songs] == [
        (s.rank, s.title, s.artist, s.anime, s.url, s.search_terms) for s in original.songs
    ]
    if fmt == "xspf":
        assert [(s.description or "").strip() for s in again.songs] == [(s.description or "").strip() for s in original.songs]
        assert again.title == original.title


def test_xspf_export_is_well_formed_with_uri_locations():
    import defusedxml.ElementTree as ET

    original = load_playlist(default_playlist_path())
    root = ET.fromstring(export(original, "xspf").encode())
    ns = "{http://xspf.org/ns/0/}"
    locations = [loc.text for loc in root.iter(f"{ns}location")]
    assert len(locations) == len(original.songs)
    assert all(" " not in loc for loc in locations)


def test_json_export_is_list_json_and_markdown_reads_as_an_article():
    original = load_playlist(default_playlist_path())
    assert json.loads(export(original, "json")) == [s.to_json() for s in original.songs]
    md = export(original, "md", ranks=[3, 1])
    assert md.startswith(f"# {original.title}\n")
    assert md.index("## 3. ") < md.index("## 1. ")
    assert "## Frequently asked questions" in md


def test_pinned_urls_win_in_every_format():
    original = load_playlist(default_playlist_path())
    pinned = {1: "https://www.youtube.com/watch?v=pinned0001"}
    for fmt in ("m3u", "xspf", "json", "md"):
        assert "pinned0001" in export(original, fmt, ranks=[1], pinned=pinned), fmt


def test_to_toml_keeps_ranks_unique():
    imported = Imported(title="T")
    from sadtui.model.formats import Entry

    imported.entries = [Entry(title="a", rank=2), Entry(title="b", rank=2), Entry(title="c")]
    ranks = [s["rank"] for s in tomllib.loads(to_toml(imported))["songs"]]
    assert len(set(ranks)) == 3
