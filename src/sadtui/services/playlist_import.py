"""A playlist that yt-dlp understands (a YouTube playlist, a page with several
audio or video tags, a feed...) as an imported list: yt-dlp's flat extraction,
one song per entry with its URL, title and channel, in order.  Bounded like
every other call into yt-dlp (socket timeout, one retry); the entries' URLs go
through the same checks as any playlist's (http(s) only)."""

from __future__ import annotations

from typing import Any

from sadtui.model.formats import FormatError, Imported, clean
from sadtui.model.formats.playlists import add_entry
from sadtui.model.text import safe_line
from sadtui.services.logs import log

SOCKET_TIMEOUT = 10.0
MAX_ENTRIES = 10_000


class _Quiet:
    def debug(self, msg: str) -> None:
        pass

    info = warning = debug

    def error(self, msg: str) -> None:
        log.info("yt-dlp (import): %s", safe_line(msg))


def has_own_extractor(url: str) -> bool:
    """Does a yt-dlp extractor other than the generic one claim `url` (YouTube...)?"""
    from yt_dlp.extractor import gen_extractor_classes

    return any(ie.suitable(url) for ie in gen_extractor_classes() if ie.ie_key() != "Generic")


def flat_playlist(url: str) -> Imported:
    """The entries of the playlist at `url`; FormatError (one line) when there is none."""
    from yt_dlp import YoutubeDL
    from yt_dlp.utils import DownloadError

    options: dict[str, Any] = {
        "extract_flat": "in_playlist",
        "skip_download": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": _Quiet(),
        "socket_timeout": SOCKET_TIMEOUT,
        "retries": 1,
        "extractor_retries": 1,
        "playlistend": MAX_ENTRIES,
        "noplaylist": False,
    }
    try:
        with YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=False, process=True)
    except DownloadError as exc:
        text = str(exc).removeprefix("ERROR: ")
        raise FormatError(f"yt-dlp found no playlist there ({safe_line(text, limit=160)})") from None
    if not isinstance(info, dict) or info.get("_type") not in ("playlist", "multi_video"):
        raise FormatError("not a ranked list or a playlist (one media item, nothing numbered)")
    imported = Imported(title=clean(info.get("title")), source=url)
    for entry in info.get("entries") or []:
        if not isinstance(entry, dict):
            imported.skip("entries yt-dlp could not read")
            continue
        # The media itself when yt-dlp found it (a page's <audio>), else the entry's page (a video).
        location = next((value for value in (entry.get("url"), entry.get("webpage_url"))
                         if isinstance(value, str) and value.lower().startswith(("http://", "https://"))), None)
        add_entry(imported, location=location,
                  title=entry.get("title"), artist=entry.get("channel") or entry.get("uploader"))
    return imported
