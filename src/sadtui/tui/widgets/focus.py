"""Moving the focus before the next key is read.

Textual hands each key to the widget that has the focus when the app reads it.
``Widget.focus()`` only queues the change, so keys that arrive in one burst (a
fast typist, a paste, a terminal macro) would still reach the old widget: after
``/`` they would run the list's bindings instead of going into the filter.
"""

from __future__ import annotations

from textual.dom import NoScreen
from textual.widget import Widget


def focus_now(widget: Widget) -> None:
    """Focus `widget` at once; a widget not in the DOM yet is focused when it is."""
    try:
        screen = widget.screen
    except NoScreen:
        widget.focus()
        return
    screen.set_focus(widget)
