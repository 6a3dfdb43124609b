"""Start-up without the cyclic garbage collector.

Start-up allocates tens of thousands of long-lived objects (Textual's modules,
the stylesheet, the widgets, the songs; for a page, yt-dlp's ~1,900 extractor
classes).  Each allocation burst triggers the cyclic collector, which walks every
object already alive; none of it frees anything, since everything allocated so
far is still in use.

Only the launcher (:mod:`sadtui.launch`) calls ``pause()``, first thing, and
``resume()`` when ``main`` returns; the TUI resumes earlier, after its first
paint, and ``sadtui play`` once its first song sounds (or fails), with
``freeze=True``: one collection, then every object alive (yt-dlp's and
libmpv's start-up included) moves to the permanent generation, so later
collections, and the last one when the process exits, never walk them again.
Reference counting still frees everything that is not in a cycle meanwhile.
Only a pause that this module made is ever resumed: if the collector was off
already (an embedding program's choice), it stays off.

Measured (2026-12-02, the 2-core bench machine under load, `first_paint` of
bench/run.py, 11 interleaved runs each): first paint of the default list 418 ms
with the pause, 508 ms without (medians).  ``sadtui play`` of a page (the page
of `ttfa_cli`, 8 interleaved runs, medians): collecting from the start, yt-dlp's
extraction took 548 ms instead of 490, and the process's exit ~120 ms longer
(its last collection walks ~140,000 objects: 150 ms from ``atexit`` to the end
instead of 32 with them frozen).  ``sadtui play`` of an audio file (no yt-dlp):
957 ms paused, 938 ms not (no gain).  The TUI does not freeze: no figure showed
that it helps there.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume(*, freeze: bool = False) -> None:
    """Turn the collector back on (only after our own pause).  `freeze`: first collect
    what start-up left in cycles, then freeze what is alive (``gc.freeze``)."""
    global _paused
    if not _paused:
        return
    _paused = False
    if freeze:
        gc.collect()
        gc.freeze()
    gc.enable()


def paused() -> bool:
    return _paused
