"""Every colour the screens write words in reads at WCAG AA (4.5:1) in both
themes, on every background it is drawn on: computed from the variables
the app itself builds for each theme (what its CSS and styles resolve to)."""

from __future__ import annotations

import pytest
from textual.color import Color

from ceremony.tui.app import make_app
from ceremony.tui.themes import THEMES

AA = 4.5
WORDS = ("text", "text-muted", "text-success", "text-warning", "text-error", "text-accent",
         "text-primary")
GROUNDS = ("background", "surface", "panel")
#: the tinted boxes (app.tcss): (tint, its alpha) over the background, with text on them
TINTS = (("accent", 0.10), ("warning", 0.10), ("warning", 0.25), ("error", 0.15),
         ("success", 0.15), ("error", 0.25))


def luminance(color: Color) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def ratio(a: Color, b: Color) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def on(value: str, ground: Color) -> Color:
    """A colour variable as drawn on ``ground``: "auto 87%" is the contrasting
    text colour at that alpha (as Textual draws it), others blend by alpha."""
    if value.startswith("auto"):
        alpha = float(value.split()[1].rstrip("%")) / 100 if " " in value else 1.0
        return ground + ground.get_contrast_text(alpha)
    return ground + Color.parse(value)


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_every_status_colour_reads_at_wcag_aa(theme):
    app = make_app(still=True)
    app.theme = theme.name
    v = app.get_css_variables()
    grounds = {name: Color.parse(v[name]) for name in GROUNDS}
    background = grounds["background"]
    for tint, alpha in TINTS:
        grounds[f"{tint} {alpha:.0%}"] = background + Color.parse(v[tint]).with_alpha(alpha)
    low = {
        (word, ground): round(ratio(on(v[word], color), color), 2)
        for word in WORDS
        for ground, color in grounds.items()
        if ratio(on(v[word], color), color) < AA
    }
    primary = Color.parse(v["primary"])  # the banner: text on the primary colour
    banner = ratio(on(v["text"], primary), primary)
    assert not low and banner >= AA, f"{theme.name}: below {AA}:1: {low}, banner {banner:.2f}"
