"""The recording's artwork (``Status.thumbnail``), drawn with textual-image.

Loaded in a thread worker (:mod:`sadtui.services.artwork`: size cap, validation, kept on
disk), shown while its song is current, hidden when there is none or it is broken.

textual-image asks the terminal what it can draw (Sixel, Kitty's graphics protocol)
when it is imported, which works only before Textual starts reading the terminal and
costs about 0.1 s.  So by default (``artwork = true``) it is imported only when the
first thumbnail arrives, with the terminal query skipped, and draws with half-blocks
(colours every terminal has).  ``artwork = "graphics"`` imports it before the app
starts (``import_graphics``) and uses the best the terminal supports.
"""

from __future__ import annotations

import io
import sys
from typing import Any

from textual import work
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from sadtui.services.events import State, Status
from sadtui.services.logs import log
from sadtui.tui.widgets.lyrics import is_starting

ACTIVE = (State.PLAYING, State.PAUSED, State.STOPPED)


def import_graphics() -> None:
    """Before the app starts: let textual-image query the terminal (Sixel, Kitty, cell size)."""
    try:
        import textual_image.widget  # noqa: F401 - the import does the query
    except Exception:  # noqa: BLE001 - no graphics is fine: half-blocks later
        log.warning("textual-image could not query the terminal", exc_info=True)


def image_class() -> Any:
    """The textual-image widget class: the detected one if `import_graphics` ran, else half-blocks."""
    if "textual_image.widget" in sys.modules:
        from textual_image.widget import Image

        return Image
    real = sys.__stdout__
    sys.__stdout__ = io.StringIO()  # not a terminal: textual-image skips its queries
    try:
        from textual_image.widget import HalfcellImage
    finally:
        sys.__stdout__ = real
    return HalfcellImage


class Artwork(Widget):
    DEFAULT_CSS = """
    Artwork { width: 26; height: 13; display: none; padding: 0 1; }
    Artwork.-shown { display: block; }
    Artwork > * { width: 24; height: 12; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.url: str | None = None
        self.shown: str | None = None  # the URL whose image is on screen

    def on_mount(self) -> None:
        self.watch(self.screen, "status", self.follow_status)

    def follow_status(self, status: Status) -> None:
        if is_starting(status):
            return  # loaded once the song sounds: artwork never delays first audio
        url = status.thumbnail if status.state in ACTIVE else None
        if url == self.url:
            return
        self.url = url
        if url is None:
            self._hide()
        else:
            self.load(url)

    @work(thread=True, exclusive=True, group="artwork", exit_on_error=False)
    def load(self, url: str) -> tuple[str, Any]:
        from sadtui.services import artwork

        return url, artwork.load(url)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "artwork":
            return
        event.stop()
        if event.state is WorkerState.ERROR:
            log.warning("loading the artwork failed", exc_info=event.worker.error)
            return
        if event.state is not WorkerState.SUCCESS or event.worker.result is None:
            return
        url, image = event.worker.result
        if url != self.url:
            return  # the song changed meanwhile
        if image is None:
            self._hide()
            return
        try:
            widget = image_class()(image)
        except Exception:  # noqa: BLE001 - a terminal without graphics never breaks the app
            log.warning("textual-image cannot draw here", exc_info=True)
            self._hide()
            return
        self.remove_children()
        self.mount(widget)
        self.shown = url
        self.add_class("-shown")

    def _hide(self) -> None:
        self.shown = None
        self.remove_class("-shown")
        self.remove_children()


def mount_artwork(screen: Any) -> Artwork:
    """The first thumbnail: the widget in the now-playing card's slot for it (when it has
    one), else beside the details; it follows the screen's status from then on."""
    artwork = Artwork(id="artwork-image")
    slots = screen.query("#artwork")
    if slots:
        slot = slots.first()
        slot.mount(artwork)
        slot.add_class("-filled")
    else:
        screen.query_one("#browse").mount(artwork, after=screen.details)
    screen.call_after_refresh(lambda: artwork.follow_status(screen.status))
    return artwork
