"""--mpv-option: what a person may change, and one line + exit 2 for the rest (9.4, 9.17)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from audio_support import cli_mpv_args, pcm_options, read_pcm
from sadtui.services.mpv_options import reserved_reason
from sadtui.services.player import PlayerError, parse_mpv_options, validate_mpv_options

SADTUI = Path(sys.executable).with_name("sadtui")


@pytest.mark.unit
@pytest.mark.parametrize(
    "option",
    ["idle=no", "idle=once", "video=yes", "vid=1", "ytdl=yes", "config=yes", "config-dir=/tmp", "terminal=yes",
     "keep-open=yes", "load-scripts=yes", "input-default-bindings=yes",
     "load-unsafe-playlists=yes", "demuxer-lavf-o=protocol_whitelist=file", "stream-lavf-o-append=a=b",
     "lavfdopts=x=y", "msg-level=all=no", "no-idle=", "--idle=no", "IDLE=no"],
)
def test_options_sadtui_relies_on_are_refused(option):
    with pytest.raises(PlayerError) as info:
        parse_mpv_options([option])
    assert info.value.usage
    key = option.lstrip("-").split("=", 1)[0].lower().removeprefix("no-")
    assert f"sadtui sets '{key}' itself; it can't be changed" in info.value.message
    assert "\n" not in info.value.message


@pytest.mark.unit
@pytest.mark.parametrize("option", ["script=/tmp/x.lua", "scripts=a.lua", "script-opts=a=b", "include=/etc/x",
                                    "profile=pseudo-gui", "scripts-append=x.lua", "input-ipc-server=/tmp/s"])
def test_code_and_config_loading_options_are_not_allowed(option):
    with pytest.raises(PlayerError) as info:
        parse_mpv_options([option])
    key = option.split("=", 1)[0]
    assert info.value.usage and f"'{key}' is not allowed" in info.value.message
    assert "does not know" not in info.value.message


@pytest.mark.unit
@pytest.mark.parametrize("option", ["ao=pcm", "ao-pcm-file=/tmp/o.raw", "audio-device=alsa/hdmi", "volume=60",
                                    "ao=pulse", "network-timeout=3", "log-file=/tmp/mpv.log", "af=volume=2"])
def test_documented_options_stay_allowed(option):
    assert reserved_reason(option.split("=", 1)[0]) is None
    assert parse_mpv_options([option]) == [tuple(option.split("=", 1))]


@pytest.mark.unit
def test_option_names_and_values_are_escaped_in_messages():
    with pytest.raises(PlayerError) as info:
        parse_mpv_options(["idle=\x1b]0;pwned\x07"])
    assert "\x1b" not in info.value.message and "\\x1b]0;pwned\\x07" in info.value.message
    with pytest.raises(PlayerError) as info:
        parse_mpv_options(["fo\x1bo=1"])
    assert "\x1b" not in info.value.message and "\\x1b" in info.value.message


@pytest.mark.e2e
def test_unknown_option_name_is_escaped():
    with pytest.raises(PlayerError) as info:
        validate_mpv_options(["fo\u202eo=1"])
    assert info.value.usage
    assert "\u202e" not in info.value.message and "\\u202e" in info.value.message


def _playlist(tmp_path: Path, url: str = "http://127.0.0.1:9/a.wav") -> Path:
    path = tmp_path / "pl.toml"
    path.write_text(f'title = "t"\n\n[[songs]]\nrank = 1\ntitle = "Song"\nurl = "{url}"\n', encoding="utf-8")
    return path


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("option", "said"),
    [("idle=no", "--mpv-option idle=no: sadtui sets 'idle' itself; it can't be changed"),
     ("keep-open=yes", "--mpv-option keep-open=yes: sadtui sets 'keep-open' itself; it can't be changed"),
     ("script=/tmp/x.lua", "--mpv-option script=/tmp/x.lua: 'script' is not allowed (sadtui runs mpv without scripts)")],
)
def test_play_refuses_with_one_line_and_exit_2(tmp_path, option, said):
    result = subprocess.run([str(SADTUI), "play", "1", "--playlist", str(_playlist(tmp_path)), "--mpv-option", option],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, (result.returncode, result.stderr)  # was 139 (segfault) for idle=no
    assert result.stderr == f"sadtui: {said}\n"


@pytest.mark.e2e
def test_ao_pcm_file_still_works(tmp_path, audio_server):
    out = tmp_path / "out.raw"
    result = subprocess.run([str(SADTUI), "play", "1", "--playlist", str(_playlist(tmp_path, audio_server.url("/a.wav"))),
                             *cli_mpv_args(pcm_options(out))], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert read_pcm(out)[0] == pytest.approx(2.0, abs=0.2)
