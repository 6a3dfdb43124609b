"""The recording's artwork: fetched (bounded), validated, made small and kept (no Textual).

A thumbnail URL comes from the resolver (``Status.thumbnail``, http(s) only).  The image
is fetched with the same limits as lyrics (5 s, bounded retries, at most MAX_BYTES),
opened with Pillow only if it is PNG, JPEG, WebP or GIF of sane dimensions (a
decompression bomb or a broken file is refused), scaled down to MAX_SIDE pixels and
kept as PNG in ``artwork/`` under the data directory, named after the URL, so it shows
offline and is decoded once.  Anything wrong gives None (logged), never an exception.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from sadtui.model import paths
from sadtui.model.text import safe_line
from sadtui.services import webfetch
from sadtui.services.logs import log

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 4096 * 4096
MAX_SIDE = 256
FORMATS = ("PNG", "JPEG", "WEBP", "GIF")


def artwork_dir() -> Path:
    return paths.data_dir() / "artwork"


def kept_path(url: str, keep_dir: Path | None = None) -> Path:
    return (keep_dir or artwork_dir()) / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()[:32]}.png"


def decode(data: bytes) -> Any | None:
    """A small RGB(A) Pillow image from `data`, or None when it is not a usable image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
            if probe.width * probe.height > MAX_PIXELS or not probe.width or not probe.height:
                return None
            probe.verify()
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a smaller scale
            image.load()
            small = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
        small.thumbnail((MAX_SIDE, MAX_SIDE))
        return small
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError):
        return None


def load(url: str | None, *, keep_dir: Path | None = None, timeout: float = webfetch.TIMEOUT,
         retries: int = webfetch.RETRIES, max_bytes: int = MAX_BYTES) -> Any | None:
    """The artwork at `url` as a small Pillow image (kept, or fetched and kept); None if none."""
    if not url or not webfetch.is_web_url(url):
        return None
    path = kept_path(url, keep_dir)
    try:
        kept = path.read_bytes() if path.is_file() and path.stat().st_size <= max_bytes else None
    except OSError:
        kept = None
    if kept is not None and (image := decode(kept)) is not None:
        return image
    try:
        data = webfetch.get(url, timeout=timeout, max_bytes=max_bytes, retries=retries, accept="image/*")
    except webfetch.FetchError as exc:
        log.info("artwork %s: %s", safe_line(url), safe_line(str(exc)))
        return None
    image = decode(data)
    if image is None:
        log.info("artwork %s is not a usable image; ignored", safe_line(url))
        return None
    out = io.BytesIO()
    image.save(out, format="PNG")
    try:
        paths.write_atomic(path, out.getvalue())
    except OSError:
        log.warning("cannot keep the artwork %s", safe_line(url), exc_info=True)
    return image
