"""The playlist's values: :class:`Playlist`, its :class:`Song` and :class:`FaqEntry`
entries (frozen dataclasses), and :class:`PlaylistError`.

They are read from TOML by :func:`sadtui.model.playlist.load_playlist` and checked by
:mod:`sadtui.model.playlist_check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["FaqEntry", "Playlist", "PlaylistError", "Song"]



class PlaylistError(Exception):
    """A playlist file that cannot be used; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Song:
    rank: int
    title: str
    anime: str | None = None
    artist: str | None = None
    description: str | None = None
    query: str | None = None
    url: str | None = None
    path: str | None = None  # a local file (absolute, resolved from the playlist's folder)
    spoiler: bool = False  # the description reveals a death or an ending: hidden until asked
    lyrics: str | None = None  # a lyrics file (LRC or plain), relative to the playlist's folder

    @property
    def search_terms(self) -> str:
        """The effective search terms: `query`, or built from title, anime and artist."""
        if self.query:
            return self.query
        return " ".join(part for part in (self.title, self.anime, self.artist) if part)

    @property
    def subtitle(self) -> str:
        """Anime and artist joined for one-line displays."""
        return " · ".join(part for part in (self.anime, self.artist) if part)

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "title": self.title,
            "anime": self.anime,
            "artist": self.artist,
            "description": self.description,
            "query": self.search_terms,
            "url": self.url,
            "path": self.path,
        }


@dataclass(frozen=True, slots=True)
class FaqEntry:
    question: str
    answer: str

    def to_json(self) -> dict[str, str]:
        return {"question": self.question, "answer": self.answer}


@dataclass(frozen=True, slots=True)
class Playlist:
    title: str
    songs: tuple[Song, ...]
    intro: str | None = None
    outro: str | None = None
    source: str | None = None
    faq: tuple[FaqEntry, ...] = ()
    path: str = ""
    _by_rank: dict[int, Song] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_rank.update({song.rank: song for song in self.songs})

    def song(self, rank: int) -> Song | None:
        return self._by_rank.get(rank)

    def index_of(self, rank: int) -> int | None:
        song = self._by_rank.get(rank)
        return None if song is None else self.songs.index(song)

    @property
    def count_text(self) -> str:
        """"1 song", "26 songs", "10,000 songs"."""
        count = len(self.songs)
        return "1 song" if count == 1 else f"{count:,} songs"
