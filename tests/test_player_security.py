"""mpv as a second wall: whatever URL reaches it, it opens only http(s).

These call the player's load path *without* its scheme check (``_loadfile``) to show
that mpv itself (the on_load hook, its options) refuses local and generated sources;
and a real ``sadtui play`` shows that the player log never follows a planted symlink.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from audio_support import (
    pcm_options as _pcm_options,
)
from audio_support import (
    pcm_player,
    read_pcm,
    redirect_to,
    send_body,
    sine_wav,
)
from sadtui.services.player import (
    NON_WEB_ADDRESS,
    FileEnded,
    Player,
    PlayerError,
    is_web_url,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def player(tmp_path):
    with pcm_player(tmp_path, append=False) as player:
        yield player


def _play_to_end(player, url: str, timeout: float = 10.0):
    entry = player._loadfile(url)
    ended = player.events.wait_for(
        lambda e: isinstance(e, FileEnded) and e.entry == entry and e.reason != "redirect",
        timeout=timeout, what=f"the end of {url}",
    )
    message = player.explain(entry, url=url, reason=ended.reason, error=ended.error)
    return ended, message


@pytest.mark.unit
@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "av://lavfi:sine", "edl://a", "fd://0", "memory://x", "/etc/passwd", "HTTP:x", "",
     "ytdl://x", "lavf://file:/etc/passwd", "ffmpeg://file:/x", "http://a b"],
)
def test_load_refuses_non_web_urls(url):
    assert not is_web_url(url)
    player = Player(options=())
    with pytest.raises(PlayerError) as info:
        player.load(url)
    assert info.value.message == NON_WEB_ADDRESS
    assert not player.is_open  # refused before mpv starts


@pytest.mark.unit
def test_web_urls_pass():
    assert is_web_url("http://127.0.0.1:8/a.wav") and is_web_url("HTTPS://example.com/x?y=1")


def test_lavfi_cannot_write_a_file(player, tmp_path):
    victim = tmp_path / "victim"
    url = f"av://lavfi:sine=d=1,ametadata=mode=print:file={victim}"
    ended, message = _play_to_end(player, url)
    assert not victim.exists()
    assert ended.reason == "error"
    assert message == NON_WEB_ADDRESS
    assert read_pcm(player.out)[0] == 0.0


def test_lavfi_endless_sine_is_refused(player):
    ended, message = _play_to_end(player, "av://lavfi:sine=frequency=999")
    assert ended.reason == "error" and message == NON_WEB_ADDRESS


@pytest.mark.parametrize("scheme", ["file://", "", "edl://", "fd://", "av://lavfi:amovie="])
def test_local_sources_are_refused(player, tmp_path, scheme):
    song = tmp_path / "local.wav"
    song.write_bytes(sine_wav(1.0))
    fd = os.open(song, os.O_RDONLY)  # libmpv runs in this process: fd://N would read it
    try:
        target = {"file://": f"file://{song}", "": str(song), "edl://": f"edl://{song}",
                  "fd://": f"fd://{fd}", "av://lavfi:amovie=": f"av://lavfi:amovie={song}"}[scheme]
        ended, message = _play_to_end(player, target)
    finally:
        os.close(fd)
    assert ended.reason == "error", ended
    assert message == NON_WEB_ADDRESS
    assert read_pcm(player.out)[0] == 0.0  # nothing was decoded
    assert any("refusing to open" in line for line in player.lines_for(-1))  # mpv's hook, not explain()


@pytest.mark.parametrize("kind", ["m3u", "pls"])
def test_web_playlist_listing_a_local_file_is_not_played(player, routes, tmp_path, kind):
    song = tmp_path / "local.wav"
    song.write_bytes(sine_wav(1.0))
    body = f"#EXTM3U\nfile://{song}\n" if kind == "m3u" else f"[playlist]\nFile1=file://{song}\nNumberOfEntries=1\n"
    ctype = "audio/x-mpegurl" if kind == "m3u" else "audio/x-scpls"
    routes.routes[f"/local.{kind}"] = send_body(body.encode(), ctype)
    ended, message = _play_to_end(player, routes.url(f"/local.{kind}"))
    assert ended.reason == "error", ended
    assert read_pcm(player.out)[0] == 0.0


def test_hls_manifest_listing_a_local_file_is_not_played(player, routes, tmp_path):
    song = tmp_path / "seg.wav"
    song.write_bytes(sine_wav(1.0))
    manifest = (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:1.0,\nfile://{song}\n#EXT-X-ENDLIST\n"
    )
    routes.routes["/local.m3u8"] = send_body(manifest.encode(), "application/vnd.apple.mpegurl")
    ended, _message = _play_to_end(player, routes.url("/local.m3u8"))
    assert ended.reason == "error", ended
    assert read_pcm(player.out)[0] == 0.0


def test_hls_manifest_with_web_segments_plays(player, routes):
    wav = sine_wav(1.0)
    routes.routes["/seg0.wav"] = send_body(wav, "audio/wav")
    manifest = (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:1.0,\n{routes.url('/seg0.wav')}\n#EXT-X-ENDLIST\n"
    )
    routes.routes["/web.m3u8"] = send_body(manifest.encode(), "application/vnd.apple.mpegurl")
    ended, message = _play_to_end(player, routes.url("/web.m3u8"))
    assert ended.reason == "eof" and message is None
    assert read_pcm(player.out)[0] > 0.5


# ---------------------------------------------------------------- the player log (9.3)

SADTUI = Path(sys.executable).with_name("sadtui")


def _log_dir() -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "sadtui" / "log"


def _play(playlist: Path, out: Path) -> subprocess.CompletedProcess:
    args = [str(SADTUI), "play", "1", "--playlist", str(playlist)]
    for option in _pcm_options(out):
        args += ["--mpv-option", option]
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def _playlist(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "pl.toml"
    path.write_text(f'title = "t"\n\n[[songs]]\nrank = 1\ntitle = "Song"\nurl = "{url}"\n', encoding="utf-8")
    return path


HOSTILE = "\x1b]0;pwned\x07\x1b[2J\u202eevil"


def _wire(text: str) -> str:
    """`text` as UTF-8 on the wire (http.server writes header values as latin-1)."""
    return text.encode("utf-8").decode("latin-1")


@pytest.fixture
def hostile_song(routes):
    routes.routes["/icy.wav"] = send_body(
        sine_wav(1.0), "audio/wav", headers={"icy-name": _wire(HOSTILE), "icy-title": _wire(HOSTILE)},
    )
    return routes.url("/icy.wav")


def test_planted_symlink_at_the_player_log_is_not_followed(tmp_path, hostile_song):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    log_dir = _log_dir()
    log_dir.mkdir(parents=True, exist_ok=True)
    (log_dir / "player.log").symlink_to(victim)
    out = tmp_path / "out.raw"
    result = _play(_playlist(tmp_path, hostile_song), out)
    assert result.returncode == 0, result.stderr
    assert read_pcm(out)[0] > 0.5  # it played (without its log)
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert (log_dir / "player.log").is_symlink()


def test_remote_text_lands_escaped_in_the_player_log(tmp_path, hostile_song):
    out = tmp_path / "out.raw"
    result = _play(_playlist(tmp_path, hostile_song), out)
    assert result.returncode == 0, result.stderr
    text = (_log_dir() / "player.log").read_text(encoding="utf-8")
    assert "pwned" in text  # the tag was logged...
    assert "\\x1b]0;pwned\\x07" in text and "\\u202eevil" in text  # ...escaped
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text


@pytest.mark.unit
def test_fd2_to_log_refuses_a_symlink(tmp_path):
    from sadtui.services.stdio import fd2_to_log

    victim = tmp_path / "victim"
    victim.write_text("x", encoding="utf-8")
    link = tmp_path / "player.log"
    link.symlink_to(victim)
    with fd2_to_log(link) as where:
        assert where is None
        os.write(2, b"")  # fd 2 untouched
    assert victim.read_text(encoding="utf-8") == "x"


@pytest.mark.unit
def test_player_log_refuses_a_fifo(tmp_path):
    from sadtui.services.player_log import open_log

    fifo = tmp_path / "player.log"
    os.mkfifo(fifo)
    assert open_log(fifo) is None  # never blocks, never writes into it


def test_an_http_redirect_to_a_local_file_is_not_followed(player, routes, tmp_path):
    song = tmp_path / "local.wav"
    song.write_bytes(sine_wav(1.0))
    routes.routes["/to-file"] = redirect_to(f"file://{song}")
    ended, _message = _play_to_end(player, routes.url("/to-file"))
    assert ended.reason == "error"
    assert read_pcm(player.out)[0] == 0.0


def test_an_http_redirect_to_the_web_is_followed(player, routes):
    routes.routes["/song.wav"] = send_body(sine_wav(1.0), "audio/wav")
    routes.routes["/to-web"] = redirect_to(routes.url("/song.wav"))
    ended, message = _play_to_end(player, routes.url("/to-web"))
    assert ended.reason == "eof" and message is None
    assert read_pcm(player.out)[0] == pytest.approx(1.0, abs=0.15)
