"""Start-up without the cyclic garbage collector.

Start-up allocates tens of thousands of long-lived objects (Textual's modules,
the stylesheet, the widgets, the songs).  Each allocation burst triggers the
cyclic collector, which walks every object already alive; none of it frees
anything, since everything allocated so far is still in use.

Only the launcher (:mod:`sadtui.launch`) calls ``pause()``, first thing, and
``resume()`` when ``main`` returns; the TUI resumes earlier, after its first
paint, and ``sadtui play`` as it starts (the pause does not shorten it).
Reference counting still frees everything that is not in a cycle meanwhile.
Only a pause that this module made is ever resumed: if the collector was off
already (an embedding program's choice), it stays off.

Measured (2026-12-02, the 2-core bench machine under load, `first_paint` of
bench/run.py, 11 interleaved runs each): first paint of the default list 418 ms
with the pause, 508 ms without (medians); ``sadtui play 1`` 957 ms with it,
938 ms without (no gain).  ``gc.freeze()`` is not used: no figure
showed that it helps.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    global _paused
    if not _paused:
        return
    _paused = False
    gc.enable()


def paused() -> bool:
    return _paused
