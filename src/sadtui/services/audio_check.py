"""Can mpv open the audio output?  ``sadtui doctor`` asks it for real.

A separate, short-lived libmpv instance (with the person's own mpv options:
``ao``, ``audio-device``...) plays a fraction of a second of silence that sadtui
writes itself to a private temporary file (nothing from outside reaches it), and
we watch whether the audio output opens.  The outputs and devices mpv can see
(``audio-device-list``) come back with the answer, for the fix line.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field

from sadtui.model.text import safe_line
from sadtui.services.logs import log

CHECK_TIMEOUT = 8.0
# What sadtui needs of the instance, whatever the person's options say.
_FIXED = {"video": "no", "ytdl": "no", "config": "no", "load-scripts": "no", "terminal": "no",
          "input-default-bindings": "no", "idle": "yes", "keep-open": "no", "audio-display": "no"}


@dataclass
class AudioCheck:
    ok: bool
    detail: str
    devices: list[tuple[str, str]] = field(default_factory=list)  # (name, description)


def _silence(seconds: float = 0.25, rate: int = 44100) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(rate * seconds))
    return buffer.getvalue()


def check_audio_output(options: Sequence[tuple[str, str]] = (), timeout: float = CHECK_TIMEOUT) -> AudioCheck:
    """Open the audio output the way playback would, with `options` (KEY, VALUE) pairs."""
    import mpv

    lines: list[str] = []
    done = threading.Event()
    result: dict[str, object] = {}

    def on_log(level: str, prefix: str, text: str) -> None:
        lines.append(f"{prefix}: {text.strip()}")

    settings = {key: value for key, value in options if key not in _FIXED}
    settings.update(_FIXED)
    try:
        player = mpv.MPV(log_handler=on_log, loglevel="warn", **{k.replace("-", "_"): v for k, v in settings.items()})
    except Exception as exc:  # noqa: BLE001 - a refused option or no libmpv: say it, don't crash
        log.info("audio check: mpv would not start", exc_info=True)
        return AudioCheck(False, f"mpv would not start ({safe_line(exc)})")
    fd, path = tempfile.mkstemp(prefix="sadtui-silence-", suffix=".wav")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_silence())

        @player.event_callback("end-file")
        def _ended(event) -> None:  # noqa: ANN001
            data = event.data if hasattr(event, "data") else event.get("event", {})
            result["reason"] = getattr(data, "reason", None)
            result["error"] = getattr(data, "error", 0)
            done.set()

        player.play(path)
        finished = done.wait(timeout)
        devices = []
        try:
            for entry in player.audio_device_list or []:
                devices.append((str(entry.get("name", "")), str(entry.get("description", ""))))
        except Exception:  # noqa: BLE001
            log.info("audio check: no audio-device-list", exc_info=True)
        text = "\n".join(lines)
        failed_output = "audio output initialization failed" in text or "Could not open/initialize audio device" in text
        if not finished:
            return AudioCheck(False, f"the audio output did not answer within {timeout:.0f} s", devices)
        if failed_output or int(result.get("error") or 0) != 0:
            return AudioCheck(False, "mpv could not open the audio output" + _why(lines), devices)
        return AudioCheck(True, "mpv opened the audio output and played a moment of silence", devices)
    finally:
        try:
            player.terminate()
        except Exception:  # noqa: BLE001
            log.info("audio check: terminate failed", exc_info=True)
        try:
            os.unlink(path)
        except OSError:
            pass


def _why(lines: list[str]) -> str:
    """The most telling line mpv logged, if any (ALSA's own words, for example)."""
    for line in lines:
        if "cannot" in line.lower() or "failed" in line.lower() or "error" in line.lower():
            return f": {safe_line(line, limit=160)}"
    return ""
