"""Ranked-list articles (HTML, Markdown, plain text) and yt-dlp playlists made into playlists."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sadtui.model.formats import FormatError, to_toml
from sadtui.model.formats.article import parse_article, split_title
from sadtui.model.playlist import load_playlist

FIXTURES = Path(__file__).parent / "fixtures" / "import"
SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "saddest-anime-songs-article.txt"
SADTUI = Path(sys.executable).with_name("sadtui")


def _import(name: str, tmp_path: Path):
    imported = parse_article((FIXTURES / name).read_bytes(), name)
    path = tmp_path / "out.toml"
    path.write_text(to_toml(imported), encoding="utf-8")
    return imported, load_playlist(path)  # the loader is the judge


def _rows(playlist):
    return [(s.rank, s.title, s.artist, s.anime) for s in playlist.songs]


@pytest.mark.unit
def test_wordpress_listicle_without_ads_toc_share_bars_or_comments(tmp_path):
    imported, playlist = _import("wordpress-listicle.html", tmp_path)
    assert playlist.title == "3 Rainy Day City Pop Songs, Ranked"  # the <h1>, not the <title>
    assert _rows(playlist) == [
        (1, "Plastic Love", "Mariya Takeuchi", None),
        (2, "Stay With Me (Mayonaka no Door)", "Miki Matsubara", None),
        (3, "Midnight Pretenders", "Tomoko Aran", None),
    ]
    first = playlist.songs[0].description
    assert "**slow-burning**" in first and "[the label's page](https://example.org/plastic-love)" in first
    everything = to_toml(imported)
    for noise in ("ADVERTISEMENT", "Share on", "Table of Contents", "Great list", "Leave a Reply", "Top Posts",
                  "Related", "dataLayer", "Home"):
        assert noise not in everything, noise
    assert playlist.intro.startswith("Grey skies call for *warm* synths.")
    assert playlist.outro == "Put the kettle on and let the rain do the rest."


@pytest.mark.unit
def test_countdown_keeps_the_numbers_shown_and_the_faq_keeps_its_points(tmp_path):
    imported, playlist = _import("countdown.html", tmp_path)
    assert [e.rank for e in imported.entries] == [5, 4, 3, 2, 1]
    assert _rows(playlist)[0] == (1, "Merry-Go-Round of Life", "Joe Hisaishi", None)
    assert playlist.song(3).artist is None  # "#3 – Lilium": no artist given, none guessed
    assert [f.question for f in playlist.faq] == ["Why piano?", "Can I suggest one?"]
    assert "1. It is close." in playlist.faq[0].answer and "2. It is soft." in playlist.faq[0].answer


@pytest.mark.unit
def test_plain_numbered_text(tmp_path):
    _, playlist = _import("numbered.txt", tmp_path)
    assert playlist.title == "Songs for the last train home"
    assert _rows(playlist) == [
        (1, "Last Train", "Someone Quiet", None),
        (2, "Window Seat", "Lantern Club", None),
        (3, "Terminal", None, "Night Ride OST"),
    ]
    assert playlist.song(1).description.count("doors closing") == 2
    assert playlist.outro == "Sleep well."


@pytest.mark.unit
def test_markdown_list_keeps_emphasis_and_links(tmp_path):
    _, playlist = _import("list.md", tmp_path)
    assert playlist.title == "Five endings that still hurt"
    assert _rows(playlist)[0] == (1, "Dango Daikazoku", "Chata", "Clannad")
    assert _rows(playlist)[4] == (5, "Namae no Nai Kaibutsu", "EGOIST", "Psycho-Pass")
    assert "[the album](https://example.org/dango)" in playlist.song(1).description
    assert playlist.intro == "The *credits* roll, the song starts, and you sit there."
    assert playlist.outro == "Keep tissues nearby."


@pytest.mark.unit
def test_the_default_article_imports_whole(tmp_path):
    if not SEED.is_file():
        pytest.skip("the article is not beside this checkout")
    imported = parse_article(SEED.read_bytes(), SEED.name)
    assert [e.rank for e in imported.entries] == list(range(1, 27))
    assert len(imported.faq) == 7 and imported.intro and imported.outro
    why = dict(imported.faq)["Why do anime songs make me cry?"]
    assert "1. Anime songs are crafted" in why and "3. Anime songs tug" in why  # points stay in the answer
    assert (imported.entries[19].title, imported.entries[19].artist) == ("Orange", "7!!")
    assert imported.entries[23].anime is None  # “I Left You” (Anohana) The Flower...: unclear, left empty


@pytest.mark.unit
@pytest.mark.parametrize(("text", "expected"), [
    ("Sadness and Sorrow (Naruto)", ("Sadness and Sorrow", None, "Naruto")),
    ("Akatsuki no Kuruma – FictionJunction Yuuka", ("Akatsuki no Kuruma", "FictionJunction Yuuka", None)),
    ("Orange by 7!!", ("Orange", "7!!", None)),
    ("Secret Base (Kimi ga Kureta Mono) – Zone", ("Secret Base (Kimi ga Kureta Mono)", "Zone", None)),
    ("“Kamado Tanjiro no Uta” (Demon Slayer)", ("Kamado Tanjiro no Uta", None, "Demon Slayer")),
    ("Unravel – TK (Tokyo Ghoul)", ("Unravel", "TK", "Tokyo Ghoul")),
    ("“Requiem” Something Unclear", ("Requiem", None, None)),
])
def test_title_artist_anime_split(text, expected):
    assert split_title(text) == expected


@pytest.mark.unit
@pytest.mark.parametrize("data", [b"", b"Nothing numbered here.\nAt all.\n", b"<html><body><p>Hi</p></body></html>"])
def test_nothing_numbered_is_one_line(data):
    with pytest.raises(FormatError, match="nothing numbered") as info:
        parse_article(data, "x.txt")
    assert "\n" not in str(info.value)


@pytest.mark.unit
def test_a_500_entry_article_imports_in_well_under_a_second(tmp_path):
    parts = ["<html><head><title>Big</title></head><body><article><h1>Five hundred</h1><p>Intro.</p>"]
    for rank in range(1, 501):
        parts.append(f"<h2>{rank}. Song {rank} – Artist {rank} (Show {rank})</h2><p>Why <em>{rank}</em> matters.</p>"
                     "<div class='ad-slot'>ad</div><p>More.</p>")
    parts.append("</article></body></html>")
    data = "".join(parts).encode()
    started = time.perf_counter()
    imported = parse_article(data, "big.html")
    text = to_toml(imported)
    elapsed = time.perf_counter() - started
    assert len(imported.entries) == 500 and elapsed < 1.0
    path = tmp_path / "big.toml"
    path.write_text(text)
    assert len(load_playlist(path).songs) == 500


@pytest.mark.e2e
def test_import_a_page_with_several_audio_tags_through_yt_dlp(audio_server, tmp_path):
    """A playlist page yt-dlp understands (served on loopback): one song per media entry."""
    audio_server.files["/mix.html"] = (
        (f'<html><head><title>Loopback mix</title></head><body><p>Just play these.</p>'
         f'<audio src="{audio_server.url("/a.wav")}"></audio><audio src="{audio_server.url("/b.wav")}"></audio>'
         "</body></html>").encode(),
        "text/html; charset=utf-8",
    )
    out = tmp_path / "mix.toml"
    result = subprocess.run([str(SADTUI), "import", audio_server.url("/mix.html"), "-o", str(out)],
                            capture_output=True, text=True, timeout=60, env={**os.environ})
    assert result.returncode == 0, result.stderr
    playlist = load_playlist(out)
    assert [s.url for s in playlist.songs] == [audio_server.url("/a.wav"), audio_server.url("/b.wav")]
    assert playlist.source == audio_server.url("/mix.html")
