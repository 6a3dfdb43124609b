"""sadtui's own themes: muted and dark by default, and a light variant; registered
beside Textual's (``App.register_theme``), so ctrl+p → Theme lists all of them."""

from __future__ import annotations

from textual.theme import Theme

DEFAULT_THEME = "sadtui"

SADTUI_DARK = Theme(
    name="sadtui",
    primary="#7F9CC0",  # dusk blue
    secondary="#8FA8A0",  # sea-glass
    accent="#C9A96E",  # old brass
    warning="#D4A35A",
    error="#D06C72",
    success="#86B38A",
    foreground="#D7D3CC",
    background="#16181D",
    surface="#1C1F26",
    panel="#252932",
    boost="#2C313B",
    dark=True,
    variables={
        "block-cursor-background": "#3A4A63",
        "block-cursor-foreground": "#F0ECE4",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-background": "#2A3240",
        "footer-key-foreground": "#C9A96E",
        "border": "#7F9CC0",
        "border-blurred": "#333845",
    },
)

SADTUI_LIGHT = Theme(
    name="sadtui-light",
    primary="#3F5F8A",
    secondary="#4F6F66",
    accent="#8A6420",
    warning="#9A5E00",
    error="#A8323A",
    success="#2F6E3A",
    foreground="#2A2A2E",
    background="#F3F0EA",
    surface="#ECE8E0",
    panel="#E0DBD1",
    boost="#D8D2C6",
    dark=False,
    variables={
        "block-cursor-background": "#C5D2E6",
        "block-cursor-foreground": "#1E2530",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-background": "#DAE1EC",
        "footer-key-foreground": "#8A6420",
        "border": "#3F5F8A",
        "border-blurred": "#CFC8BA",
    },
)

THEMES = (SADTUI_DARK, SADTUI_LIGHT)
