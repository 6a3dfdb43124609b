"""Romaji for lines in Japanese (no Textual; slow the first time: call from a worker).

cutlet (MeCab with the UniDic dictionary) is used when it is installed (`pip install
sadtui[romaji]`: about 250 MB, mostly its dictionary): it reads kanji in context (君 is
"kimi") and joins particles as a person would write them.  Otherwise pykakasi (a
dependency: 10 MB, about 0.6 s to load its dictionaries once) gives a rougher reading.
A line without kana or kanji gets None (no romaji line).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence

from sadtui.services.logs import log

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_lock = threading.Lock()
_converter: Callable[[str], str] | None = None


def has_japanese(text: str) -> bool:
    return _JAPANESE.search(text) is not None


def _cutlet() -> Callable[[str], str]:
    import cutlet  # type: ignore[import-not-found]

    katsu = cutlet.Cutlet()
    return katsu.romaji


def _pykakasi() -> Callable[[str], str]:
    import pykakasi

    kakasi = pykakasi.kakasi()

    def convert(text: str) -> str:
        words = [item["hepburn"] for item in kakasi.convert(text)]
        return " ".join(" ".join(w for w in words if w.strip()).split())

    return convert


def converter(backend: str | None = None) -> Callable[[str], str]:
    """The converter: `backend` "cutlet" or "pykakasi", or None for the best installed."""
    global _converter
    if backend == "pykakasi":
        return _pykakasi()
    if backend == "cutlet":
        return _cutlet()
    with _lock:
        if _converter is None:
            try:
                _converter = _cutlet()
            except ImportError:
                _converter = _pykakasi()
            except Exception:  # noqa: BLE001 - cutlet present but broken (no dictionary): use pykakasi
                log.warning("cutlet is installed but cannot start; using pykakasi", exc_info=True)
                _converter = _pykakasi()
        return _converter


def romanize(lines: Sequence[str], backend: str | None = None) -> list[str | None]:
    """A romaji line for each Japanese line, None for the others."""
    if not any(has_japanese(line) for line in lines):
        return [None] * len(lines)
    convert = converter(backend)
    out: list[str | None] = []
    for line in lines:
        if not has_japanese(line):
            out.append(None)
            continue
        try:
            out.append(convert(line).strip() or None)
        except Exception:  # noqa: BLE001 - one odd line never loses the others
            log.warning("romaji for one line failed", exc_info=True)
            out.append(None)
    return out
