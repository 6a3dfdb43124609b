"""The default playlist's facts: where a description corrects the article, the fields agree with it,
and every song's search terms are specific enough to find the recording the entry means."""

from __future__ import annotations

import re

from sadtui.model.playlist import load_playlist

PLAYLIST = load_playlist()


def song(rank: int):
    return PLAYLIST.song(rank)


def words(text: str | None) -> str:
    text = (text or "").lower()
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-")):
        text = text.replace(a, b)
    return " ".join(re.findall(r"[a-z0-9'!]+", text))


def test_rank_5_is_karutas_original_version_not_lias():
    five, two = song(5), song(2)
    assert five.title == two.title == "Ichiban no Takaramono"
    assert five.anime == "Angel Beats!"
    assert five.artist == "karuta"
    description = words(five.description)
    assert "karuta" in description and "lia" in description  # the article's claim, noted
    assert "did not sing it" in description
    # A distinct recording from rank 2's (LiSA, Yui final ver.).
    assert "karuta" in words(five.query) and "original" in words(five.query)
    assert "lisa" not in words(five.query) and "yui" not in words(five.query)
    assert "lisa" in words(two.query) and "yui final" in words(two.query)
    assert five.query != two.query


def test_rank_7_is_masaru_yokoyamas_piano_piece_not_goose_house():
    seven = song(7)
    assert seven.artist == "Masaru Yokoyama"
    assert "Your Lie in April" in seven.anime
    assert "goose house" in words(seven.description)  # the article's claim, noted
    assert "masaru yokoyama" in words(seven.description)
    query = words(seven.query)
    assert "yokoyama" in query and "ost" in query and "goose" not in query


def test_rank_20_is_from_your_lie_in_april_not_the_anime_orange():
    twenty = song(20)
    assert twenty.artist == "7!!"
    assert twenty.anime == song(7).anime == "Shigatsu wa Kimi no Uso (Your Lie in April)"
    description = words(twenty.description)
    assert "the article places it in the anime orange" in description
    assert "your lie in april" in description
    query = words(twenty.query)
    assert "your lie in april" in query and "ending" in query


def test_rank_9_plays_the_piece_its_description_means():
    nine = song(9)
    assert nine.anime == "Fairy Tail"
    assert nine.artist == "Yasuharu Takanashi"
    assert "fairy tail main theme" in words(nine.description)
    query = words(nine.query)
    assert "fairy tail main theme" in query and "takanashi" in query
    assert "sad" not in query.split() and "song" not in query.split()


def test_ranks_6_and_16_name_their_anime():
    assert song(6).anime == "Arpeggio of Blue Steel -Ars Nova-"
    assert "arpeggio" in words(song(6).query)
    assert "Asterisk" in song(16).anime
    assert "asterisk" in words(song(16).query)


def _title_parts(title: str) -> list[str]:
    """"Bird’s Poem (Tori no Uta)" → ["bird's poem", "tori no uta"]."""
    parts = [title] + re.findall(r"\(([^)]*)\)", title)
    parts[0] = re.sub(r"\s*\([^)]*\)", "", parts[0])
    return [words(p) for p in parts if words(p)]


def test_every_query_names_the_title_and_the_artist_or_anime():
    for entry in PLAYLIST.songs:
        query = words(entry.query)
        if entry.rank != 9:  # the article's "Theme Song" names no piece; test_rank_9 checks its query
            assert any(part in query for part in _title_parts(entry.title)), (entry.rank, entry.query)
        names = [n for n in (entry.artist, entry.anime) if n]
        assert names, f"rank {entry.rank} names neither its artist nor its anime"
        # Every word of at least one of them (the anime's main name before any bracket).
        hits = [n for n in names if all(w in query for w in words(re.sub(r"\s*\(.*\)", "", n)).split())]
        alt = [n for n in names if any(words(a) in query for a in re.findall(r"\(([^)]*)\)", n))]
        assert hits or alt, (entry.rank, entry.query)
        assert len(query.split()) >= 4, (entry.rank, entry.query)


def test_soundtrack_pieces_and_themes_say_so_in_their_query():
    for entry in PLAYLIST.songs:
        text = words(entry.description)
        query = words(entry.query).split()
        if "soundtrack" in text or "score" in text:
            assert {"ost", "theme"} & set(query) or entry.rank in (1,), (entry.rank, entry.query)
        # 5 notes the article's "ending theme" claim; 19 is ZONE's original, not the Anohana cover.
        if "ending theme" in text and entry.rank not in (5, 19):
            assert "ending" in query or "theme" in query or "ed" in query, (entry.rank, entry.query)
