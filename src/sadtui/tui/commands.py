"""Command-palette provider: find a song by rank or by words of its title/anime/artist."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from sadtui.model.text import safe_text

MAX_HITS = 30


def song_prompt(song) -> Content:
    return Content.assemble((f"#{song.rank}  ", "bold"), safe_text(song.title))


class SongsProvider(Provider):
    """Type a rank (`17`) or words (`naruto`) to go to a song."""

    def _songs(self):
        playlist = getattr(self.app, "playlist", None)
        return playlist.songs if playlist is not None else ()

    def _hit(self, score: float, song) -> Hit:
        return Hit(
            score,
            song_prompt(song),
            partial(self.app.main.go_to_rank, song.rank),  # type: ignore[attr-defined]
            text=f"#{song.rank} {song.title}",
            help=escape(f"Go to song {song.rank}" + (f" · {safe_text(song.subtitle)}" if song.subtitle else "")),
        )

    async def discover(self) -> Hits:
        return
        yield  # pragma: no cover - no discovery hits: the list is the discovery

    async def search(self, query: str) -> Hits:
        query = query.strip().lstrip("#")
        if not query:
            return
        songs = self._songs()
        if query.isdigit():
            rank = int(query)
            for song in songs:
                if song.rank == rank:
                    yield self._hit(1.0, song)
                    break
            return
        terms = query.casefold().split()
        found = 0
        for song in songs:
            hay = " ".join(p for p in (song.title, song.anime, song.artist) if p).casefold()
            if all(term in hay for term in terms):
                # Earlier matches and title matches score higher.
                score = 0.5 + (0.4 if terms[0] in song.title.casefold() else 0.0)
                yield self._hit(score, song)
                found += 1
                if found >= MAX_HITS:
                    return
