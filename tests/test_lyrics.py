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
