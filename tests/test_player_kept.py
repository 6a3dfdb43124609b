"""Playing a kept file from disk: the one narrow way a local file reaches mpv.

`Player.load_kept(path)` lets exactly one regular file with a kept file's name, directly
inside the library directory, through the on_load hook, once.  A page (an http(s) .m3u
listing that very file) still cannot make mpv open it, nor anything else on disk.
"""

from __future__ import annotations

import pytest

from audio_support import entry_ended, pcm_player, read_pcm, send_body, sine_wav
from sadtui.services.player import NON_WEB_ADDRESS, FileLoaded, Player, PlayerError

pytestmark = pytest.mark.e2e

NAME = "0123456789abcdef01234567-89abcdef.wav"


@pytest.fixture
def kept(tmp_path):
    directory = tmp_path / "audio"
    directory.mkdir()
    path = directory / NAME
    path.write_bytes(sine_wav(1.0, 440.0))
    return path


@pytest.fixture
def player(tmp_path, kept):
    with pcm_player(tmp_path, append=False, kept_dir=kept.parent) as player:
        yield player


def test_a_kept_file_plays_from_disk(player, kept):
    entry = player.load_kept(kept)
    player.events.wait_for(lambda e: isinstance(e, FileLoaded) and e.entry == entry, what="file loaded")
    ended = entry_ended(player, entry)
    assert ended.reason == "eof"
    assert player.explain(entry, url=str(kept), reason="eof", error=0) is None  # a clean end, not "non-web"
    seconds, rms = read_pcm(player.out)
    assert seconds > 0.9 and rms > 0.2


@pytest.mark.unit
def test_load_still_refuses_the_kept_path(tmp_path, kept):
    player = Player(options=(), kept_dir=kept.parent)
    for url in (str(kept), f"file://{kept}"):
        with pytest.raises(PlayerError, match=NON_WEB_ADDRESS):
            player.load(url)
    assert not player.is_open


@pytest.mark.unit
def test_load_kept_refuses_anything_but_a_kept_file(tmp_path, kept):
    player = Player(options=(), kept_dir=kept.parent)
    outside = tmp_path / NAME
    outside.write_bytes(b"RIFF")
    link = kept.parent / "aaaaaaaaaaaaaaaaaaaaaaaa-aaaaaaaa.wav"
    link.symlink_to(outside)
    odd = kept.parent / "song.wav"
    odd.write_bytes(b"RIFF")
    sub = kept.parent / "sub"
    sub.mkdir()
    (sub / NAME).write_bytes(b"RIFF")
    linked_dir = tmp_path / "linked"
    linked_dir.symlink_to(kept.parent)
    for bad in (outside, link, odd, sub / NAME, linked_dir / NAME,
                f"file://{kept}", "http://127.0.0.1/x.wav", kept.parent / "bbbbbbbbbbbbbbbbbbbbbbbb-bbbbbbbb.wav",
                "/etc/passwd"):
        with pytest.raises(PlayerError, match=NON_WEB_ADDRESS):
            player.load_kept(bad)
    assert not player.is_open  # refused before mpv starts


@pytest.mark.parametrize("line", ["{path}", "file://{path}"])
def test_a_page_cannot_make_mpv_open_the_kept_file(player, kept, routes, line):
    # First play the kept file (its one-time pass is used up), then a page's playlist lists it.
    entry = player.load_kept(kept)
    assert entry_ended(player, entry).reason == "eof"
    before = read_pcm(player.out)[0]
    body = ("#EXTM3U\n" + line.format(path=kept) + "\n").encode()
    routes.routes["/kept.m3u"] = send_body(body, "audio/x-mpegurl")
    url = routes.url("/kept.m3u")
    entry = player.load(url)
    ended = entry_ended(player, entry)
    message = player.explain(entry, url=url, reason=ended.reason, error=ended.error)
    assert message == NON_WEB_ADDRESS
    assert read_pcm(player.out)[0] == pytest.approx(before, abs=0.05)  # nothing more was played


def test_the_pass_is_for_that_entry_only(player, kept, routes):
    """A load() after load_kept() (before mpv opened the kept file) takes the pass away."""
    routes.routes["/b.wav"] = send_body(sine_wav(0.5, 660.0), "audio/wav")
    player.load_kept(kept)
    entry = player.load(routes.url("/b.wav"))
    assert player._kept_allowed is None
    assert entry_ended(player, entry).reason == "eof"
