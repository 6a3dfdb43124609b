"""Every key sadtui understands, in one table.

The same table builds the Textual ``BINDINGS`` (app, song list and reading panes),
the help screen (``?``) and the command palette (``ctrl+p``), so a key cannot exist
in one place and be missing from another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sadtui.model.config import KEY_ALIASES

if TYPE_CHECKING:  # Textual is imported where bindings are made, not for the table itself
    from textual.binding import Binding

# Where a key is bound: the App (works everywhere), the song list, or a reading pane.
APP, LIST, PANE = "app", "list", "pane"
PALETTE = "palette"  # no key: reached from the command palette only

GROUPS = ("Moving", "Reading", "Filter", "Panels", "Playback", "App")


@dataclass(frozen=True, slots=True)
class KeyAction:
    keys: str  # Textual key names, comma-separated
    action: str  # the action run by the binding (on the widget it is bound to)
    description: str  # short: footer and command palette title
    help: str  # one line: help screen and command palette help
    display: str  # how the help screen shows the keys
    group: str
    scope: str = APP
    show: bool = False  # in the footer
    key_display: str | None = None  # footer key label
    command: str | None = None  # app action for the palette; None = not in the palette
    # Handled by the app as soon as it reads the key, before the keys typed after
    # it are handed to the focused widget (for a key that moves the focus).
    priority: bool = False

    def bindings(self) -> list[Binding]:
        from textual.binding import Binding

        if self.action == "digit":
            return [
                Binding(str(d), f"digit({d})", self.description, show=False, tooltip=self.help)
                for d in range(10)
            ]
        return [
            Binding(
                self.keys,
                self.action,
                self.description,
                show=self.show,
                key_display=self.key_display,
                tooltip=self.help,
                priority=self.priority,
                id=action_name(self),  # config.toml's [keys] remaps it (App.set_keymap)
            )
        ]


KEYS: tuple[KeyAction, ...] = (
    # ---- moving in the list (bound on the list; the palette reaches the same moves)
    KeyAction("down,j", "cursor_down", "Down the list", "Move the highlight down one song",
              "↓  j", "Moving", LIST, command="list('cursor_down')"),
    KeyAction("up,k", "cursor_up", "Up the list", "Move the highlight up one song",
              "↑  k", "Moving", LIST, command="list('cursor_up')"),
    KeyAction("home,g", "first", "First song", "Jump to the first song in the list",
              "g  Home", "Moving", LIST, command="list('first')"),
    KeyAction("end,G", "last", "Last song", "Jump to the last song in the list",
              "G  End", "Moving", LIST, command="list('last')"),
    KeyAction("pageup", "page_up", "Page up", "Move the highlight up one page",
              "PgUp", "Moving", LIST, command="list('page_up')"),
    KeyAction("pagedown", "page_down", "Page down", "Move the highlight down one page",
              "PgDn", "Moving", LIST, command="list('page_down')"),
    KeyAction("0,1,2,3,4,5,6,7,8,9", "digit", "Jump to rank",
              "Type a rank (1 then 7: rank 17) to jump to that song",
              "0-9", "Moving", APP, command="jump_prompt"),
    KeyAction("tab", "app.focus_next", "Next pane", "Move the focus to the next pane",
              "Tab", "Moving", APP, command="app.focus_next"),
    KeyAction("shift+tab", "app.focus_previous", "Previous pane",
              "Move the focus to the previous pane", "Shift+Tab", "Moving", APP,
              command="app.focus_previous"),
    # ---- reading panes (details, FAQ, About) when they have the focus
    KeyAction("down,j", "scroll_down", "Scroll down", "Scroll the focused pane down",
              "↓  j", "Reading", PANE),
    KeyAction("up,k", "scroll_up", "Scroll up", "Scroll the focused pane up",
              "↑  k", "Reading", PANE),
    KeyAction("pagedown", "page_down", "Page down", "Scroll the focused pane down a page",
              "PgDn", "Reading", PANE),
    KeyAction("pageup", "page_up", "Page up", "Scroll the focused pane up a page",
              "PgUp", "Reading", PANE),
    KeyAction("home,g", "scroll_home", "Top", "Scroll the focused pane to the top",
              "g  Home", "Reading", PANE),
    KeyAction("end,G", "scroll_end", "Bottom", "Scroll the focused pane to the bottom",
              "G  End", "Reading", PANE),
    # ---- filter
    KeyAction("slash", "filter_key", "Filter", "Filter the list by title, anime, artist and description",
              "/", "Filter", APP, show=True, key_display="/", command="filter", priority=True),
    KeyAction("escape", "back", "Back",
              "Close the panel, or clear the filter, and return to the list",
              "Esc", "Filter", APP, command="back"),
    # ---- panels
    KeyAction("f", "toggle_panel('faq')", "FAQ", "Show or hide the questions and answers",
              "f", "Panels", APP, show=True, command="toggle_panel('faq')"),
    KeyAction("a", "toggle_panel('about')", "About", "Show or hide the intro, closing word and source",
              "a", "Panels", APP, show=True, command="toggle_panel('about')"),
    KeyAction("l", "toggle_lyrics", "Lyrics", "Show or hide the playing song's lyrics",
              "l", "Panels", APP, command="toggle_lyrics"),
    KeyAction("R", "toggle_romaji", "Romaji", "Show or hide a romaji line under each Japanese line",
              "R", "Panels", APP, command="toggle_romaji"),
    KeyAction("left_square_bracket", "lyrics_offset(-0.5)", "Lyrics sooner",
              "Show the lyrics 0.5 s sooner for this song (remembered)", "[", "Panels", APP,
              command="lyrics_offset(-0.5)"),
    KeyAction("right_square_bracket", "lyrics_offset(0.5)", "Lyrics later",
              "Show the lyrics 0.5 s later for this song (remembered)", "]", "Panels", APP,
              command="lyrics_offset(0.5)"),
    KeyAction("question_mark", "help", "Help", "List every key",
              "?", "Panels", APP, show=True, key_display="?", command="help"),
    # ---- playback
    KeyAction("enter", "play", "Play", "Play the highlighted song",
              "Enter", "Playback", APP, show=True, key_display="⏎", command="play"),
    KeyAction("space", "toggle_pause", "Pause", "Pause or resume",
              "Space", "Playback", APP, show=True, key_display="␣", command="toggle_pause"),
    KeyAction("s", "stop", "Stop", "Stop playing", "s", "Playback", APP, command="stop"),
    KeyAction("n", "next", "Next", "Play the next song in play order",
              "n", "Playback", APP, show=True, command="next"),
    KeyAction("p", "previous", "Previous", "Play the previous song in play order",
              "p", "Playback", APP, command="previous"),
    KeyAction("left", "seek(-5)", "Back 5 s", "Seek back 5 seconds",
              "←", "Playback", APP, command="seek(-5)"),
    KeyAction("right", "seek(5)", "Forward 5 s", "Seek forward 5 seconds",
              "→", "Playback", APP, command="seek(5)"),
    KeyAction("shift+left", "seek(-30)", "Back 30 s", "Seek back 30 seconds",
              "Shift+←", "Playback", APP, command="seek(-30)"),
    KeyAction("shift+right", "seek(30)", "Forward 30 s", "Seek forward 30 seconds",
              "Shift+→", "Playback", APP, command="seek(30)"),
    KeyAction("plus,equals_sign", "volume(5)", "Volume up", "Volume up by 5",
              "+  =", "Playback", APP, command="volume(5)"),
    KeyAction("minus", "volume(-5)", "Volume down", "Volume down by 5",
              "-", "Playback", APP, command="volume(-5)"),
    KeyAction("m", "mute", "Mute", "Mute or unmute", "m", "Playback", APP, command="mute"),
    KeyAction("o", "cycle_order", "Play order", "Cycle the play order: rank, countdown, shuffle",
              "o", "Playback", APP, command="cycle_order"),
    KeyAction("r", "cycle_repeat", "Repeat", "Cycle repeat: off, one, all",
              "r", "Playback", APP, command="cycle_repeat"),
    KeyAction("z", "cycle_sleep", "Sleep timer",
              "Sleep timer: off, end of this song, 15, 30, 45, 60 min (fades out, then stops)",
              "z", "Playback", APP, command="cycle_sleep"),
    # ---- the library of kept audio, and versions
    KeyAction("d", "keep", "Keep", "Download the highlighted song, to play it offline",
              "d", "Playback", APP, command="keep"),
    KeyAction("v", "versions", "Versions", "Pick the recording the highlighted song plays (Enter pins and plays)",
              "v", "Playback", APP, command="versions"),
    KeyAction("", "download_all", "Download all", "Keep every song of the playlist on disk",
              "ctrl+p", "Playback", PALETTE, command="download_all"),
    # ---- app
    KeyAction("ctrl+o", "switch_list", "Switch list…", "Open another list from the library of lists",
              "Ctrl+O", "App", APP, command="switch_list"),
    KeyAction("q", "quit", "Quit", "Quit sadtui", "q", "App", APP, show=True),
    # ---- reading: spoilers
    KeyAction("x", "reveal_spoiler", "Show spoiler", "Show the highlighted song's description hidden as a spoiler",
              "x", "Reading", APP, command="reveal_spoiler"),
)

# Keys Textual provides itself; listed on the help screen so it is complete.
BUILTIN_KEYS: tuple[tuple[str, str, str], ...] = (
    ("ctrl+p", "Command palette: every action, themes, songs by rank or title", "App"),
    ("ctrl+q", "Quit sadtui", "App"),
    ("ctrl+c", "Copy the selected text", "App"),
    ("Mouse", "Click a song to select it, double-click to play it", "Moving"),
)


def bindings_for(scope: str) -> list[Binding]:
    out: list[Binding] = []
    for key in KEYS:
        if key.scope == scope and not key.action.startswith("app.focus"):
            out.extend(key.bindings())
    return out


def palette_entries() -> list[KeyAction]:
    return [key for key in KEYS if key.command is not None]


# ---------------------------------------------------------------- remaps (config.toml [keys])

# The action names of config.toml's [keys] (and `sadtui config --actions`) where the
# action itself is not a good name: it has arguments, or two scopes share it.
_NAMES = {
    ("pane", "page_down"): "scroll_page_down",
    ("pane", "page_up"): "scroll_page_up",
    ("app", "toggle_panel('faq')"): "faq",
    ("app", "toggle_panel('about')"): "about",
    ("app", "seek(-5)"): "seek_back",
    ("app", "seek(5)"): "seek_forward",
    ("app", "seek(-30)"): "seek_back_long",
    ("app", "seek(30)"): "seek_forward_long",
    ("app", "volume(5)"): "volume_up",
    ("app", "volume(-5)"): "volume_down",
    ("app", "app.focus_next"): "focus_next",
    ("app", "app.focus_previous"): "focus_previous",
    ("app", "digit"): "jump_to_rank",
    ("app", "filter_key"): "filter",
}


def action_name(key: KeyAction) -> str:
    """The name a person uses for this action in config.toml's [keys]."""
    return _NAMES.get((key.scope, key.action), key.action)


def _conflict_scope(key: KeyAction) -> str:
    # The app's keys and the list's are live together; a reading pane's keys replace the list's.
    return "pane" if key.scope == PANE else "app"


def actions_table() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every action: name -> (the scope where two actions may not share a key, default keys),
    as ``load_config(..., actions=...)`` checks remaps."""
    table: dict[str, tuple[str, tuple[str, ...]]] = {}
    for key in KEYS:
        name = action_name(key)
        table[name] = (_conflict_scope(key), tuple(k.strip() for k in key.keys.split(",")))
    return table


# Every key name in config.toml as people write it, to the name Textual uses.
_KEY_ALIASES = {**KEY_ALIASES, " ": "space"}
_SHOWN = {"question_mark": "?", "slash": "/", "plus": "+", "equals_sign": "=", "minus": "-", "space": "Space",
          "enter": "Enter", "escape": "Esc", "left": "←", "right": "→", "up": "↑", "down": "↓",
          "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End", "tab": "Tab"}

# Not remapped: the digits are the ranks; Tab and Shift+Tab are Textual's own focus keys.
FIXED = frozenset({"jump_to_rank", "focus_next", "focus_previous"})


def textual_keys(keys: tuple[str, ...]) -> str:
    return ",".join(_KEY_ALIASES.get(key, key) for key in keys)


def shown(keys: tuple[str, ...]) -> str:
    """Remapped keys as the help screen and the palette show them."""
    out = []
    for key in keys:
        name = _KEY_ALIASES.get(key, key)
        *mods, base = name.split("+")
        out.append("+".join([m.capitalize() for m in mods] + [_SHOWN.get(base, base)]))
    return "  ".join(out)


def display_of(key: KeyAction, remaps: dict[str, tuple[str, ...]] | None) -> str:
    """How the help screen and the palette show this action's keys (remapped or not)."""
    keys = (remaps or {}).get(action_name(key))
    return key.display if not keys or action_name(key) in FIXED else shown(keys)


def keymap_for(remaps: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """config.toml's [keys] as Textual's keymap (binding id -> keys)."""
    return {name: textual_keys(keys) for name, keys in remaps.items() if name not in FIXED}
