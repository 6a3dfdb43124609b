"""Versions of a song: scoring, pins, the resolver's pick, and search offline."""

from __future__ import annotations

import json

import pytest

from sadtui.model.playlist import Playlist, Song
from sadtui.services.pins import Pin, PinStore, pins_file
from sadtui.services.resolver import Resolver
from sadtui.services.versions import Candidate, candidates_from_info, pick, plays_line, rank, score

SONG = Song(1, "Sadness and Sorrow", anime="Naruto", artist="Toshio Masuda", query="Sadness and Sorrow Naruto OST")
UNRAVEL = Song(2, "Unravel", anime="Tokyo Ghoul", artist="TK from Ling tosite sigure")


def c(title, channel=None, duration=None, n=0):
    return Candidate(f"https://www.youtube.com/watch?v=id{n:09d}", title, channel, duration, position=n)


@pytest.mark.unit
def test_the_real_recording_beats_loops_covers_and_reactions():
    found = [
        c("Naruto - Sadness and Sorrow 1 HOUR", "Loops", 3600, 0),
        c("Sadness and Sorrow - Naruto (piano cover)", "PianoGuy", 190, 1),
        c("Reacting to Sadness and Sorrow for the first time", "Reacts", 600, 2),
        c("Sadness and Sorrow (Nightcore)", "NC", 150, 3),
        c("Naruto OST - Sadness and Sorrow", "Toshio Masuda - Topic", 183, 4),
        c("Sadness and Sorrow slowed + reverb", "vibes", 240, 5),
    ]
    best = pick(found, SONG)
    assert best is not None and best.channel == "Toshio Masuda - Topic"
    ordered = rank(found, SONG)
    assert ordered[0].score > ordered[1].score
    assert {x.title for x in ordered[-4:]} >= {"Naruto - Sadness and Sorrow 1 HOUR", "Sadness and Sorrow (Nightcore)"}


@pytest.mark.unit
def test_words_the_query_asks_for_are_not_penalised():
    piano = Song(3, "Sadness and Sorrow", query="Sadness and Sorrow piano cover")
    cover = c("Sadness and Sorrow (piano cover)", "someone", 180)
    assert score(cover, piano) > score(cover, SONG) + 40


@pytest.mark.unit
def test_durations_far_out_cost_and_the_expected_length_counts():
    base = c("Unravel - TK from Ling tosite sigure", "TK from Ling tosite sigure - Topic", 240)
    assert score(base, UNRAVEL) - score(c(base.title, base.channel, 30), UNRAVEL) >= 50
    assert score(base, UNRAVEL) - score(c(base.title, base.channel, 13 * 60), UNRAVEL) >= 50
    assert score(base, UNRAVEL, expected=240) > score(c(base.title, base.channel, 90), UNRAVEL, expected=240)


@pytest.mark.unit
def test_the_title_and_the_artist_or_anime_are_preferred_and_order_breaks_ties():
    found = [
        c("Sad anime music mix to cry to", "Chill", 700, 0),
        c("Unravel", "random", 240, 1),
        c("Tokyo Ghoul OP - Unravel (TK from Ling tosite sigure)", "anime", 240, 2),
    ]
    assert pick(found, UNRAVEL).position == 2
    same = [c("Unravel", "a", 240, 0), c("Unravel", "a", 240, 1)]
    assert [x.position for x in rank(same, UNRAVEL)] == [0, 1]
    assert "cover" not in " ".join(x.title for x in found)  # "discover" must not count either:
    assert score(c("Discover Unravel", "a", 240), UNRAVEL) > score(c("Unravel cover", "a", 240), UNRAVEL)


@pytest.mark.unit
def test_candidates_from_info_keeps_web_pages_only():
    info = {"_type": "playlist", "entries": [
        {"url": "https://www.youtube.com/watch?v=a", "title": "A", "channel": "C", "duration": 200},
        {"url": "file:///etc/passwd", "title": "bad"},
        {"url": "https://www.youtube.com/watch?v=a", "title": "dup"},
        {"webpage_url": "https://www.youtube.com/watch?v=b", "title": None, "uploader": "U", "duration": True},
        "junk",
    ]}
    got = candidates_from_info(info)
    assert [(x.url[-1], x.title, x.channel, x.duration) for x in got] == [
        ("a", "A", "C", 200.0), ("b", "https://www.youtube.com/watch?v=b", "U", None)]


@pytest.mark.unit
def test_plays_line_says_what_will_play_as_safe_text():
    pin = Pin("https://www.youtube.com/watch?v=a", "Evil\x1b[31m title", "Chan - Topic", 252.0)
    assert plays_line(SONG, pin, kept=True) == "Plays: Evil\\x1b[31m title · Chan - Topic · 4:12 · kept"
    assert plays_line(SONG).startswith("Plays: the best match of a search for “Sadness and Sorrow Naruto OST”")
    assert plays_line(Song(1, "t", url="https://e.org/x")) == "Plays: https://e.org/x"


# ---------------------------------------------------------------- pins


@pytest.mark.unit
def test_pins_are_per_playlist_and_search_terms_and_validated(tmp_path):
    one = PinStore(Playlist("One", (SONG,), path=str(tmp_path / "one.toml")))
    two = PinStore(Playlist("Two", (SONG,), path=str(tmp_path / "two.toml")))
    pin = Pin("https://www.youtube.com/watch?v=a", "T", "C", 200.0)
    assert one.set(SONG, pin) and one.get(SONG).url == pin.url
    assert two.get(SONG) is None
    assert one.apply(SONG).url == pin.url and one.apply(UNRAVEL) is UNRAVEL
    edited = Song(1, SONG.title, query="something else")
    assert one.get(edited) is None  # editing the query forgets the pin
    assert not one.set(Song(5, "x", url="https://e.org/own"), pin)  # a song with a url is never pinned
    assert not one.set(UNRAVEL, Pin("file:///etc/passwd"))
    assert not one.set_if_unpinned(SONG, Pin("https://www.youtube.com/watch?v=other"))
    assert PinStore(one.key).get(SONG).url == pin.url  # another process reads it back
    assert one.clear(SONG) and one.get(SONG) is None and not one.clear(SONG)


@pytest.mark.unit
def test_a_bad_pins_file_is_ignored_entry_by_entry(tmp_path):
    store = PinStore("k")
    path = pins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "playlists": {"k": {
        SONG.search_terms: {"url": "https://www.youtube.com/watch?v=ok", "title": "T", "duration": 3.0},
        UNRAVEL.search_terms: {"url": "file:///etc/passwd"},
        "x": {"url": "https://e.org", "duration": "long"},
    }, "other": "nonsense"}}))
    assert store.get(SONG).url.endswith("=ok") and store.get(UNRAVEL) is None
    path.write_text("{not json")
    assert store.get(SONG) is None
    assert store.set(SONG, Pin("https://www.youtube.com/watch?v=new"))  # rewritten whole
    assert json.loads(path.read_text())["playlists"]["k"][SONG.search_terms]["url"].endswith("=new")


# ---------------------------------------------------------------- the resolver's pick


class FakeYDL:
    def __init__(self, answers, calls):
        self.answers, self.calls = answers, calls

    def extract_info(self, target, download=False):
        self.calls.append(target)
        return self.answers[target]

    def close(self):
        pass


@pytest.mark.unit
def test_the_resolver_scores_the_search_and_reports_its_pick():
    good, loop = "https://www.youtube.com/watch?v=goodgoodgoo", "https://www.youtube.com/watch?v=looplooploo"
    answers = {
        f"ytsearch8:{SONG.search_terms}": {"_type": "playlist", "entries": [
            {"_type": "url", "url": loop, "title": "Sadness and Sorrow 10 hours", "channel": "L", "duration": 36000},
            {"_type": "url", "url": good, "title": "Naruto OST Sadness and Sorrow", "channel": "Toshio Masuda - Topic",
             "duration": 183},
        ]},
        good: {"url": "https://cdn.example.org/good.m4a", "title": "Naruto OST Sadness and Sorrow", "duration": 183},
    }
    calls: list[str] = []
    resolver = Resolver(ydl_factory=lambda o: FakeYDL(answers, calls))
    picked: list = []
    resolver.on_pick = lambda song, cand: picked.append((song.rank, cand))
    got = resolver.resolve(SONG)
    assert got.url == "https://cdn.example.org/good.m4a" and calls == [f"ytsearch8:{SONG.search_terms}", good]
    assert [(r, x.url, x.channel, x.duration) for r, x in picked] == [(1, good, "Toshio Masuda - Topic", 183.0)]
    versions = resolver.search(SONG)  # cached by the resolve: no second search
    assert calls == [f"ytsearch8:{SONG.search_terms}", good]
    assert [v.url for v in versions] == [good, loop] and versions[0].score > versions[1].score
    again = Resolver(ydl_factory=lambda o: FakeYDL(answers, calls))  # a new process: the cache on disk
    seen: list = []
    again.on_pick = lambda song, cand: seen.append(cand.url)
    again.resolve(SONG)
    assert seen == [good]  # a cached search still pins


# ---------------------------------------------------------------- end to end: search offline, pin, keep


@pytest.fixture
def loopback(monkeypatch, audio_server):
    from search_support import use_loopback_search

    results = [
        (audio_server.url("/long.wav"), "Sadness and Sorrow 1 hour loop", "Loops", 3600.0),
        (audio_server.url("/a.wav"), "Naruto OST - Sadness and Sorrow", "Toshio Masuda - Topic", 183.0),
        (audio_server.url("/b.wav"), "Sadness and Sorrow (piano cover)", "Pianist", 190.0),
    ]
    return use_loopback_search(monkeypatch, results), audio_server


@pytest.mark.e2e
def test_a_search_is_pinned_kept_under_its_pin_and_then_plays_the_pin_offline(loopback, tmp_path):
    from audio_support import EventLog, wait_until
    from sadtui.services.engine import PlaybackEngine
    from sadtui.services.events import SongFinished, State, StatusChanged
    from sadtui.services.library import Library

    search, server = loopback
    playlist = Playlist("Mine", (SONG,), path=str(tmp_path / "mine.toml"))
    pins, library, log = PinStore(playlist), Library(), EventLog()
    engine = PlaybackEngine(playlist, log, mpv_options=("ao=null",), library=library, pins=pins)
    engine.start()
    try:
        engine.play(1)
        log.wait_for(lambda e: isinstance(e, SongFinished), timeout=20, what="the end of #1")
        assert search.QUERIES == [SONG.search_terms]
        pin = wait_until(lambda: pins.get(SONG), what="the pin")
        assert (pin.url, pin.title, pin.channel, pin.duration) == (
            server.url("/a.wav"), "Naruto OST - Sadness and Sorrow", "Toshio Masuda - Topic", 183.0)
        kept = wait_until(lambda: library.entry(pins.apply(SONG)), timeout=30, what="the pin kept")
        assert kept.key == server.url("/a.wav")
        assert kept.path.read_bytes() == server.files["/a.wav"][0]
        assert library.entry(SONG) is None  # keyed by the pin, not by the search
        server.close()
        engine.play(1)
        event = log.wait_for(lambda e: isinstance(e, StatusChanged) and e.status.state is State.PLAYING
                             and e.status.from_disk, timeout=5, what="#1 from disk")
        assert event.status.rank == 1
    finally:
        engine.shutdown()


# ---------------------------------------------------------------- sadtui versions / pin (in this process)


def _cli(capsys, *argv):
    from sadtui.cli.main import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def mine(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('title = "Mine"\n[[songs]]\nrank = 1\ntitle = "Sadness and Sorrow"\nanime = "Naruto"\n'
                    'query = "Sadness and Sorrow Naruto OST"\n'
                    '[[songs]]\nrank = 2\ntitle = "Own"\nurl = "https://example.org/own"\n')
    return path


@pytest.mark.e2e
def test_versions_lists_scored_candidates_and_pin_marks_one(loopback, mine, capsys):
    search, server = loopback
    code, out, err = _cli(capsys, "versions", "1", "--json", "--playlist", str(mine))
    assert code == 0, err
    data = json.loads(out)
    urls = [v["url"] for v in data["versions"]]
    assert urls[0] == server.url("/a.wav") and set(urls) == {server.url(p) for p in ("/a.wav", "/b.wav", "/long.wav")}
    assert data["versions"][0]["score"] > data["versions"][-1]["score"]
    assert not any(v["pinned"] for v in data["versions"])
    code, out, err = _cli(capsys, "pin", "1", server.url("/b.wav"), "--playlist", str(mine))
    assert code == 0 and "Sadness and Sorrow (piano cover)" in out  # its title from the cached search
    code, out, _ = _cli(capsys, "versions", "1", "--playlist", str(mine))
    assert code == 0 and len(search.QUERIES) == 1  # cached: searched once
    marked = [line for line in out.splitlines() if line.startswith("*") and "/b.wav" in line]
    assert len(marked) == 1 and "Pianist" in marked[0]
    code, out, _ = _cli(capsys, "show", "1", "--playlist", str(mine))
    assert "Plays: Sadness and Sorrow (piano cover) · Pianist · 3:10" in out
    # export --pinned: the pinned recording, the way a curator ships a list that always plays it
    code, out, _ = _cli(capsys, "export", "--format", "m3u", "--pinned", "--playlist", str(mine))
    assert code == 0 and server.url("/b.wav") in out and "ytsearch1:" not in out
    code, out, _ = _cli(capsys, "export", "--format", "m3u", "--playlist", str(mine))
    assert code == 0 and server.url("/b.wav") not in out and "ytdl://ytsearch1:" in out
    code, out, _ = _cli(capsys, "pin", "1", "--clear", "--playlist", str(mine))
    assert code == 0 and "unpinned" in out
    assert PinStore(Playlist("Mine", (), path=str(mine))).get(Song(1, "Sadness and Sorrow", query=SONG.search_terms)) \
        is None


@pytest.mark.unit
@pytest.mark.parametrize("argv, message", [
    (["pin", "1", "file:///etc/passwd"], "not a web address"),
    (["pin", "1"], "give the recording's URL"),
    (["pin", "1", "https://e.org/x", "--clear"], "not both"),
    (["pin", "2", "https://e.org/x"], "has its own url"),
    (["versions", "2"], "has its own url"),
    (["versions", "9"], "no song with rank 9"),
])
def test_bad_pin_and_versions_usage_is_one_line_and_exit_2(mine, capsys, argv, message):
    code, out, err = _cli(capsys, *argv, "--playlist", str(mine))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
