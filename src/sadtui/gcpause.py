"""Start-up without the cyclic garbage collector.

Start-up allocates tens of thousands of long-lived objects (Textual's modules,
the stylesheet, the widgets, the songs).  Each allocation burst triggers the
cyclic collector, which walks every object already alive: about 30 ms before
the first paint here, half of it in one full collection.  None of it frees
anything, since everything allocated so far is still in use.

``pause()`` turns the collector off at the start of ``sadtui``'s ``main``;
``resume()`` turns it back on: for the TUI after the first paint, for
``sadtui play`` once the first song sounds (or fails), for the short commands
when ``main`` returns.  ``freeze=True`` moves the start-up objects to the
permanent generation, so later collections never walk them again.
Reference counting still frees everything that is not in a cycle meanwhile.
Only a pause that this module made is ever resumed: if the collector was off
already (an embedding program's choice), it stays off.
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
    global _paused
    if not _paused:
        return
    _paused = False
    if freeze:
        gc.freeze()
    gc.enable()


def paused() -> bool:
    return _paused
