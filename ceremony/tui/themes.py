"""The UI's two themes, ceremony-dark and ceremony-light (F2 switches).

Textual's own themes put orange and green text on light grey at a contrast
of about 3:1 in the light theme. These two keep every colour the screens
use for words (text, muted, success, warning, error, accent) at WCAG AA,
4.5:1 or more, on every background they are drawn on (background, surface,
panel, and the tinted boxes); tests/tui/test_contrast.py computes it.
"""

from __future__ import annotations

from textual.theme import Theme

#: each colour of the two themes: (name, dark, light)
PALETTE = (
    ("primary", "#0A5EA8", "#004578"),
    ("secondary", "#004578", "#0178D4"),
    ("accent", "#FFA62B", "#B85C00"),
    ("warning", "#FFA62B", "#B85C00"),
    ("error", "#E0607E", "#B3261E"),
    ("success", "#4EBF71", "#2E7D32"),
    ("foreground", "#E0E0E0", "#1A1A1A"),
    ("background", "#121212", "#F7F7F7"),
    ("surface", "#1E1E1E", "#EDEDED"),
    ("panel", "#24303A", "#E3E8EE"),
)


def theme(name: str, column: int, *, dark: bool, variables: dict[str, str]) -> Theme:
    """One theme from its column of the palette, with variables on top."""
    c = {colour: values[column] for colour, *values in PALETTE}
    return Theme(
        name=name, primary=c["primary"], secondary=c["secondary"], accent=c["accent"],
        warning=c["warning"], error=c["error"], success=c["success"],
        foreground=c["foreground"], background=c["background"], surface=c["surface"],
        panel=c["panel"], dark=dark, variables=variables,
    )


DARK = theme("ceremony-dark", 0, dark=True, variables={"text-primary": "#7FB6E8"})

LIGHT = theme("ceremony-light", 1, dark=False, variables={
    "footer-key-foreground": "#00508C",
    # words in colour, dark enough on every light background used
    "text-success": "#1B5E20",
    "text-warning": "#7A3E00",
    "text-accent": "#7A3E00",
    "text-error": "#8E1B14",
    "text-primary": "#003A66",
})

THEMES = (DARK, LIGHT)
