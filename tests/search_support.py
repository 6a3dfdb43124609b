"""A test-only yt-dlp search extractor: ``ytsearchN:`` answered offline from a list.

`LoopbackSearchIE.RESULTS` is (url, title, channel, duration) for every search;
`ydl_class()` is a ``YoutubeDL`` that asks this extractor before yt-dlp's own, so
``ytsearch8:...`` never leaves the machine (the URLs are loopback audio files, which
yt-dlp's generic extractor reads as they are).
"""

from __future__ import annotations

from typing import Any

import yt_dlp
from yt_dlp.extractor.common import SearchInfoExtractor


class LoopbackSearchIE(SearchInfoExtractor):
    IE_NAME = "loopback:search"
    _SEARCH_KEY = "ytsearch"
    _MAX_RESULTS = 50
    RESULTS: list[tuple[str, str, str | None, float | None]] = []
    QUERIES: list[str] = []

    def _search_results(self, query: str):
        type(self).QUERIES.append(query)
        for url, title, channel, duration in self.RESULTS:
            yield self.url_result(url, None, video_title=title, channel=channel, duration=duration)


class LoopbackYDL(yt_dlp.YoutubeDL):
    def __init__(self, params: Any = None, auto_init: Any = True) -> None:
        super().__init__(params, auto_init=False)
        self.add_info_extractor(LoopbackSearchIE())
        if auto_init:
            self.add_default_info_extractors()


def use_loopback_search(monkeypatch, results) -> type[LoopbackSearchIE]:
    """Every YoutubeDL made from now on (this process) answers searches with `results`."""
    monkeypatch.setattr(LoopbackSearchIE, "RESULTS", list(results))
    monkeypatch.setattr(LoopbackSearchIE, "QUERIES", [])
    monkeypatch.setattr(yt_dlp, "YoutubeDL", LoopbackYDL)
    return LoopbackSearchIE
