"""The playlist loader/validator and the shipped default playlist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sadtui.model.playlist import PlaylistError, default_playlist_path, load_playlist, parse_playlist

ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "saddest-anime-songs-article.txt"

GOOD_SONG = '[[songs]]\nrank = 1\ntitle = "One"\n'


def write(tmp_path: Path, text: str | bytes, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(PlaylistError) as info:
        load_playlist(path)
    message = str(info.value)
    assert "\n" not in message, "errors are one line"
    assert message.startswith(str(path) + ": "), "errors name the file"
    return message


# ------------------------------------------------------------ default data


def test_default_playlist_loads_with_26_songs_and_7_faq():
    playlist = load_playlist()
    assert [s.rank for s in playlist.songs] == list(range(1, 27))
    assert len(playlist.faq) == 7
    assert playlist.title.strip()
    assert playlist.intro and playlist.outro and playlist.source
    for song in playlist.songs:
        assert song.title.strip()
        assert song.description and len(song.description.strip()) > 80, song.rank
        assert song.query, f"rank {song.rank} needs a search query"
        assert song.url is None
    for entry in playlist.faq:
        assert entry.question.strip() and len(entry.answer.strip()) > 80


def test_default_playlist_keeps_the_article_ranking():
    playlist = load_playlist()
    expected = {
        1: "Sadness and Sorrow",
        2: "Ichiban no Takaramono",
        7: "Watashi",
        11: "Utakata Hanabi",
        18: "One More Time, One More Chance",
        22: "Call of Silence",
        26: "Requiem for a Brigadier General",
    }
    for rank, title in expected.items():
        assert title.lower() in playlist.song(rank).title.lower(), rank
    assert "Naruto" in (playlist.song(1).anime or "")
    assert "Angel Beats" in (playlist.song(2).anime or "")
    assert "Sawano" in (playlist.song(22).artist or "") + (playlist.song(22).description or "")


def _normalise(text: str) -> list[str]:
    text = text.lower()
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-")):
        text = text.replace(a, b)
    return re.findall(r"[a-z0-9']+", text)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(_normalise(s)) >= 8]


@pytest.mark.skipif(not ARTICLE.exists(), reason="the article is not beside this checkout")
def test_no_sentence_is_copied_from_the_article():
    article = ARTICLE.read_text(encoding="utf-8")
    playlist = load_playlist()
    ours = " ".join(
        [playlist.intro or "", playlist.outro or ""]
        + [s.description or "" for s in playlist.songs]
        + [f.answer for f in playlist.faq]
    )
    ours_words = " ".join(_normalise(ours))
    copied = []
    for sentence in _sentences(article):
        words = _normalise(sentence)
        # Any 8-word run of an article sentence counts as copying it.
        for i in range(len(words) - 7):
            window = " ".join(words[i : i + 8])
            if window in ours_words:
                copied.append(window)
                break
    assert not copied, f"copied from the article: {copied[:5]}"


def test_default_path_is_a_file():
    assert default_playlist_path().is_file()


# ------------------------------------------------------------ good files


def test_songs_sorted_by_rank_and_query_defaults(tmp_path):
    path = write(
        tmp_path,
        'title = "Mine"\n'
        '[[songs]]\nrank = 10\ntitle = "Ten"\nanime = "A"\nartist = "B"\n'
        '[[songs]]\nrank = 2\ntitle = "Two"\nquery = "custom terms"\n'
        '[[songs]]\nrank = 5\ntitle = "Five"\nurl = "http://127.0.0.1:1/x.wav"\n',
    )
    playlist = load_playlist(path)
    assert [s.rank for s in playlist.songs] == [2, 5, 10]
    assert playlist.song(10).search_terms == "Ten A B"
    assert playlist.song(2).search_terms == "custom terms"
    assert playlist.song(5).url == "http://127.0.0.1:1/x.wav"
    assert playlist.faq == ()


def test_utf8_bom_and_unicode_titles(tmp_path):
    path = write(tmp_path, '\ufefftitle = "涙"\n[[songs]]\nrank = 1\ntitle = "泣ける歌 😢"\n')
    assert load_playlist(path).songs[0].title == "泣ける歌 😢"


def test_markup_like_text_is_kept_verbatim(tmp_path):
    path = write(tmp_path, 'title = "[bold]x[/]"\n[[songs]]\nrank = 1\ntitle = "[bold]Tears[/] [/]"\n')
    playlist = load_playlist(path)
    assert playlist.title == "[bold]x[/]"
    assert playlist.songs[0].title == "[bold]Tears[/] [/]"


# ------------------------------------------------------------ bad files

BAD_CASES = [
    # (file text, expected fragment of the message)
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\nurl = "file:///etc/passwd"\n',
     "songs[1] (rank 1): 'url' must be an http(s) URL"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\nurl = "/home/me/song.mp3"\n',
     "'url' must be an http(s) URL"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\nurl = "ftp://example.org/a"\n',
     "'url' must be an http(s) URL"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\nurll = "https://a.b/"\n',
     "songs[1] (rank 1): unknown key 'urll' (did you mean 'url'?)"),
    ('title = "x"\ntitel = "y"\n' + GOOD_SONG, "top level: unknown key 'titel' (did you mean 'title'?)"),
    ('title = 1979-05-27\n' + GOOD_SONG, "'title' must be a string, not a date"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\n[[faq]]\nquestion = "q"\nanswr = "a"\n',
     "faq[1]: unknown key 'answr'"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\n[[faq]]\nquestion = "q"\n',
     "faq[1]: missing required key 'answer'"),
    (GOOD_SONG, "top level: missing required key 'title'"),
    ('title = ""\n' + GOOD_SONG, "'title' must not be empty"),
    ('title = 3\n' + GOOD_SONG, "'title' must be a string, not an integer"),
    ('title = "x"\n', "no songs"),
    ('title = "x"\nsongs = []\n', "no songs"),
    ('title = "x"\nsongs = "abc"\n', "songs: must be an array of tables"),
    ('title = "x"\n[[songs]]\ntitle = "a"\n', "songs[1]: missing required key 'rank'"),
    ('title = "x"\n[[songs]]\nrank = 1\n', "songs[1] (rank 1): missing required key 'title'"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "  "\n', "songs[1] (rank 1): 'title' must not be empty"),
    ('title = "x"\n[[songs]]\nrank = 0\ntitle = "a"\n', "songs[1]: 'rank' must be a positive integer, not 0"),
    ('title = "x"\n[[songs]]\nrank = -3\ntitle = "a"\n', "'rank' must be a positive integer, not -3"),
    ('title = "x"\n[[songs]]\nrank = "1"\ntitle = "a"\n', "songs[1]: 'rank' must be an integer, not a string"),
    ('title = "x"\n[[songs]]\nrank = 1.5\ntitle = "a"\n', "'rank' must be an integer, not a number"),
    ('title = "x"\n[[songs]]\nrank = true\ntitle = "a"\n', "'rank' must be an integer, not a boolean"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = ["a"]\n', "songs[1] (rank 1): 'title' must be a string, not an array"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\nartist = 7\n', "'artist' must be a string, not an integer"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\n[[songs]]\nrank = 1\ntitle = "b"\n',
     "songs[2] (rank 1): duplicate rank 1 (also used by songs[1])"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a\n', "TOML syntax error"),
    ('title = "x"\nfaq = 3\n' + GOOD_SONG, "faq: must be an array of tables"),
    # Control characters would reach the terminal as they are.
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a\\u001b[31mred"\n',
     "songs[1] (rank 1): 'title' contains a control character (U+001B); remove it"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "one\\ntwo"\n', "'title' contains a line break (U+000A)"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\nanime = "b\\tc"\n', "'anime' contains a tab (U+0009)"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\ndescription = "d\\u001b[2J"\n',
     "'description' contains a control character (U+001B)"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\ndescription = "d\\re"\n', "'description' contains a line break (U+000D)"),
    ('title = "x\\u0085"\n' + GOOD_SONG, "top level: 'title' contains a line break (U+0085)"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\nurl = "http://h/a\\n.wav"\n', "'url' contains a line break (U+000A)"),
    # Format characters reorder or hide what is shown (bidi overrides, isolates, zero width).
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "abc\u202etxt.exe"\n',
     "songs[1] (rank 1): 'title' contains an invisible formatting character (U+202E); remove it"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\nartist = "b\u2066c"\n',
     "songs[1] (rank 1): 'artist' contains an invisible formatting character (U+2066)"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\ndescription = "line\\nnext\\u200b"\n',
     "'description' contains an invisible formatting character (U+200B)"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\n[[faq]]\nquestion = "q\u2067"\nanswer = "a"\n',
     "faq[1]: 'question' contains an invisible formatting character (U+2067)"),
    ('title = "x\u2028y"\n' + GOOD_SONG, "top level: 'title' contains a line break (U+2028)"),
    ('title = "x"\nintro = "p\ue000"\n' + GOOD_SONG, "'intro' contains a character that cannot be shown (U+E000)"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\nurl = "http://h/a b.wav"\n', "'url' must not contain spaces"),
    ('title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\nurl = "http://h:99999/a.wav"\n', "'url' must be an http(s) URL"),
    ('title = "x"\n[[songs]]\nrank = 99999999999999999999\ntitle = "a"\n', "'rank' is too large"),
    ('title = "x"\n[[songs]]\nrank = 1' + "9" * 5000 + '\ntitle = "a"\n', "cannot read a value"),
    ('title = "x"\nz = ' + "[" * 5000 + "]" * 5000 + "\n" + GOOD_SONG, "nested too deeply"),
    ('title = "x"\n"a\\u001bb" = 1\n' + GOOD_SONG, "unknown key 'a\\x1bb'"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD_CASES)
def test_bad_files_are_refused_with_one_clear_line(tmp_path, text, fragment):
    message = error_of(write(tmp_path, text))
    assert fragment in message


def test_multiline_text_keeps_line_breaks_and_tabs(tmp_path):
    path = write(tmp_path, 'title = "x"\nintro = """one\r\n\ttwo"""\n[[songs]]\nrank = 1\ntitle = "a"\n'
                           'description = """para one\n\npara two"""\n')
    playlist = load_playlist(path)
    assert playlist.intro == "one\n\ttwo"
    assert playlist.songs[0].description == "para one\n\npara two"


def test_a_file_name_with_control_characters_is_shown_escaped(tmp_path):
    with pytest.raises(PlaylistError) as info:
        load_playlist(tmp_path / "bad\x1b[31mname.toml")
    message = str(info.value)
    assert "\x1b" not in message and message.endswith("bad\\x1b[31mname.toml: no such file")


def test_an_empty_file_name_and_an_endless_file(tmp_path):
    with pytest.raises(PlaylistError, match="the playlist file name is empty"):
        load_playlist("")
    assert "too large for a playlist" in error_of(Path("/dev/zero"))


def test_syntax_error_names_line_and_column(tmp_path):
    message = error_of(write(tmp_path, 'title = "x"\n\n[[songs]]\nrank = = 1\n'))
    assert "TOML syntax error" in message
    assert "line 4" in message and "column" in message


def test_missing_file(tmp_path):
    assert "no such file" in error_of(tmp_path / "nope.toml")


def test_directory(tmp_path):
    (tmp_path / "d.toml").mkdir()
    assert "is a directory" in error_of(tmp_path / "d.toml")


def test_empty_file(tmp_path):
    assert "the file is empty" in error_of(write(tmp_path, ""))
    assert "the file is empty" in error_of(write(tmp_path, "  \n\n", name="blank.toml"))


def test_not_utf8(tmp_path):
    message = error_of(write(tmp_path, b'title = "x"\n[[songs]]\nrank = 1\ntitle = "caf\xe9"\n'))
    assert "not valid UTF-8" in message and "line 4" in message


def test_count_text_says_song_or_songs():
    def songs(n: int) -> dict:
        return {"title": "x", "songs": [{"rank": r, "title": f"t{r}"} for r in range(1, n + 1)]}

    assert parse_playlist(songs(1), "one").count_text == "1 song"
    assert parse_playlist(songs(26), "many").count_text == "26 songs"
    assert parse_playlist(songs(1200), "lots").count_text == "1,200 songs"


def test_descriptions_keep_line_breaks_and_tabs(tmp_path):
    playlist = load_playlist(write(tmp_path, 'title = "x"\n[[songs]]\nrank = 1\ntitle = "a"\n'
                                   'description = "one\\ntwo\\tthree"\n'))
    assert playlist.songs[0].description == "one\ntwo\tthree"
