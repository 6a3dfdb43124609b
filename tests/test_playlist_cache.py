"""The parse cache for large playlists: same result as parsing, never in the way."""

from __future__ import annotations

from sadtui.model import paths
from sadtui.model import playlist as playlist_module
from sadtui.model.playlist import PlaylistError, load_playlist


def _write(path, n, extra=""):
    lines = ['title = "Big"', 'intro = "Generated."']
    for rank in range(1, n + 1):
        lines += [
            "[[songs]]",
            f"rank = {rank}",
            f'title = "Song {rank}"',
            f'anime = "Show {rank % 7}"',
            f'url = "https://example.org/{rank}"',
            f'query = "  q {rank} "',
            f'description = "{"words " * 40}{rank}"',
        ]
    lines += ["[[faq]]", 'question = "Q?"', 'answer = "A."', extra]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _entries():
    folder = paths.cache_dir() / "playlists"
    return sorted(folder.glob("*.bin")) if folder.is_dir() else []


def test_a_large_playlist_is_cached_and_reads_back_the_same(tmp_path, monkeypatch):
    file = _write(tmp_path / "big.toml", 1200)
    assert file.stat().st_size >= playlist_module.CACHE_MIN_BYTES
    first = load_playlist(file)
    assert len(_entries()) == 1

    def no_toml(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(playlist_module.tomllib, "loads", no_toml)
    second = load_playlist(file)
    assert second == first
    assert second.songs[0].query == "q 1" and second.faq[0].answer == "A."
    assert second.path == str(file)


def test_an_edited_file_is_parsed_again(tmp_path):
    file = _write(tmp_path / "big.toml", 1200)
    load_playlist(file)
    _write(file, 1201)
    assert len(load_playlist(file).songs) == 1201
    _write(file, 1200, extra="oops = 1")
    try:
        load_playlist(file)
    except PlaylistError as exc:
        assert "unknown key 'oops'" in str(exc)
    else:
        raise AssertionError("the edited, now invalid file was not checked")


def test_a_damaged_cache_entry_is_ignored(tmp_path):
    file = _write(tmp_path / "big.toml", 1200)
    expected = load_playlist(file)
    (entry,) = _entries()
    entry.write_bytes(entry.read_bytes()[:-10])
    assert load_playlist(file) == expected
    entry.write_bytes(b"")
    assert load_playlist(file) == expected


def test_small_playlists_are_not_cached(tmp_path):
    load_playlist(_write(tmp_path / "small.toml", 5))
    load_playlist()
    assert _entries() == []
