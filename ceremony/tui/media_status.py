"""The home screen's bundles on media: how soon each needs its next ceremony.

Under "This machine", for the bundles found on the mounted media
(ceremony/lifecycle/on_media.py): each one's path on its medium, the worst
state of its roles signed offline (fine, RENEW, CRITICAL, EXPIRED, as
``ceremony status`` says) and the date by which the next ceremony must
happen (``due``: the renew-by date). The home screen paints first: the media are searched, and the
bundles judged, in a thread after that paint, and again only when the media
change. Nothing is shown while it looks, nor when no bundle is found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from textual import work
from textual.content import Content
from textual.widgets import Static

from ceremony.safe_text import terminal_safe
from ceremony.tui.paths import path_lines

if TYPE_CHECKING:
    from ceremony.lifecycle.on_media import BundleSummary
    from ceremony.tui.widgets import TextPart

MOST_SHOWN = 4  # bundles listed; the rest are counted
STYLES = {"fine": "$text-success", "renew": "$text-warning bold",
          "critical": "$text-error bold", "expired": "$text-error bold"}


class MediaBundles(Static):
    """The bundles on the media and their next-ceremony dates (see the module text)."""

    def __init__(self, width: int, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__("", id=id)
        self.display = False
        self._width = width
        self._media: tuple[str, ...] | None = None

    def scan(self, media: tuple[str, ...], clock: Callable[[], datetime]) -> None:
        """Look for bundles on ``media`` after the next paint, unless these media
        were looked at already."""
        if media == self._media:
            return
        self._media = media
        self.display = False  # no line at all until there is something to show
        if media:
            self.call_after_refresh(self._look, media, clock())

    @work(thread=True, exclusive=True, group="media-bundles")
    def _look(self, media: tuple[str, ...], at: datetime) -> None:
        from ceremony.lifecycle.on_media import bundles_on, summary

        found = bundles_on(media)
        summaries = [summary(label, path, at=at) for label, path in found[:MOST_SHOWN]]
        self.app.call_from_thread(self._show, media, summaries, len(found))

    def _show(self, media: tuple[str, ...], summaries: list[BundleSummary], found: int) -> None:
        if media == self._media and self.is_mounted and summaries:
            self.update(bundles_text(summaries, found, self._width))
            self.display = True


def bundles_text(summaries: Sequence[BundleSummary], found: int, width: int) -> Content:
    """The lines shown: each bundle's path on its medium, then its state and
    renew-by date (or why it was not read); ``found`` counts those not listed."""
    parts: list[TextPart] = [("\nBundles\n", "bold")]
    for bundle in summaries:
        parts.append("".join(f"{line}\n" for line in path_lines(bundle.label, width)))
        if bundle.problem:
            parts.append((f"    cannot read: {terminal_safe(bundle.problem)}\n", "$text-warning"))
            continue
        word = bundle.state if bundle.state == "fine" else bundle.state.upper()
        parts.append(("    " + word, STYLES[bundle.state]))
        if bundle.renew_by is not None:
            parts.append(f", due {bundle.renew_by:%Y-%m-%d}")  # its renew-by date
        parts.append("\n")
    if found > len(summaries):
        parts.append((f"  and {found - len(summaries)} more (ceremony status)\n", "$text-muted"))
    return Content.assemble(*parts)
