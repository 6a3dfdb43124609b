"""The one Textual message that carries the playback engine's events into the UI.

The engine calls ``notify(event)`` from its own threads (and from mpv's event
thread).  The app's notify callback only wraps the event in an :class:`EngineNotice`
and ``post_message``s it to the main screen (thread-safe, never blocks); the screen
then handles it on the UI thread.  Position updates arrive several times a second:
consecutive ones in the queue collapse into the newest (``can_replace``).
"""

from __future__ import annotations

from textual.message import Message

from sadtui.services.events import EngineEvent, PositionChanged


class EngineNotice(Message):
    """One engine event (`StatusChanged`, `PositionChanged`, `SongFailed`,
    `SongFinished` or `PlaybackEnded`), unchanged."""

    def __init__(self, event: EngineEvent) -> None:
        super().__init__()
        self.event = event

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(self.event, PositionChanged)
            and isinstance(message, EngineNotice)
            and isinstance(message.event, PositionChanged)
        )
