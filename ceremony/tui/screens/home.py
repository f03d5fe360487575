"""The home screen: what to do, and what this machine can see.

It is the first thing painted, so it imports only what it draws; every other
screen is imported when it is chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ceremony.tui.media_status import MediaBundles
from ceremony.tui.paths import path_lines
from ceremony.tui.room import Room, TokensSeen
from ceremony.tui.room import find_tokens as find_tokens_in_child

if TYPE_CHECKING:
    from ceremony.tui.shell import CeremonyShell
    from ceremony.tui.widgets import TextPart

CHOICES = (
    ("bootstrap", "New root (bootstrap)", "Make version 1 of a new TUF root: root keys for the "
     "keyholders here, and the targets, snapshot and timestamp keys. Built from forms."),
    ("rotate-root", "Rotate the root", "The next root version: add, remove or replace keys, change "
     "thresholds and expiries. Signed by the current root and the new."),
    ("renew", "Renew the root", "The next root version with the same keys and new expiries, "
     "signed by the current root keys; an expired root too, when the form says so. Start from "
     "the last bundle (Ctrl+L fills the form the way `ceremony next` writes it)."),
    ("delegate", "Delegate repository keys", "The targets key signs a new targets.json that "
     "delegates paths to repository keys."),
    ("recovery", "Disaster recovery", "Custodians bring the root keys back from a custody "
     "bundle with their shares; lost targets, snapshot or timestamp keys are replaced in the "
     "next root version. Built from forms (or open a reviewed recover script)."),
    ("script", "Open a ceremony script", "Check a reviewed YAML script: its sha256, what it will "
     "do, the preflight. Then run it, or write it as a signing request (Ctrl+T) for "
     "keyholders who sign elsewhere."),
    ("certify", "Certify a new key for a request", "A new keyholder's own sitting, before "
     "the request that adds their key: it signs what its flavor needs beside its public key "
     "(DCT: a certificate for each GUN), a file to carry to the coordinator."),
    ("sign", "Sign a request from another sitting", "A keyholder signs a signing request with "
     "their own keys: its summary and digest to compare by phone, the check that it extends "
     "the bundle they hold, then a signature file to carry back."),
    ("seal", "Seal signatures from several sittings", "Count the signature files of a request "
     "as they come, each threshold's meter filling, then seal and verify the bundle."),
    ("verify", "Inspect and verify media", "Check a bundle on media as a strict client would, and "
     "read its transcript head."),
    ("rehearse", "Rehearse", "Every kind of ceremony, one after another, on throwaway "
     "software keys into a new folder. Nobody types; about a minute."),
)


class HomeScreen(Screen[None]):
    """Start a ceremony, open a script, verify media, or rehearse."""

    app: CeremonyShell  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding(
            "enter", "open", "Open", id="home-open", tooltip="Open the highlighted choice",
            priority=True,
        ),
        Binding("r", "rehearse", "Rehearse", id="home-rehearse", tooltip="Run a rehearsal"),
        Binding("v", "verify", "Verify media", id="home-verify", tooltip="Verify a bundle"),
        Binding("t", "tokens", "Look for tokens", id="home-tokens",
                tooltip="Ask the PKCS#11 modules again which tokens they see"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._tokens: TokensSeen | None = None
        self._looking = False

    def compose(self) -> ComposeResult:
        yield Static("ceremony · offline key ceremonies for TUF roots", classes="banner")
        with Horizontal(id="home-body"):
            with Vertical(id="home-choices"):
                yield Static("What do you want to do?", classes="pane-title")
                yield OptionList(
                    *(
                        Option(label, id=key) for key, label, _ in CHOICES
                    ),
                    id="choices",
                )
                yield Static("", id="choice-help", classes="help")
            with Vertical(id="home-room"):
                yield Static("This machine", classes="pane-title")
                yield Static("", id="room")
                yield MediaBundles(ROOM_WIDTH, id="media-bundles")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#choices", OptionList).focus()
        self.look()
        if self.app.fixed_room is None:
            self.set_interval(2.0, self.look)
        self.action_tokens()
        self._describe(0)

    def look(self) -> None:
        room = self.app.look_around()
        text = room_text(room, self._tokens, looking=self._looking)
        self.query_one("#room", Static).update(text)
        self.query_one(MediaBundles).scan(room.media + room.read_only, self.app.clock)

    def action_tokens(self) -> None:
        """Look for tokens: in a child process (``ceremony tokens --json``),
        so no PKCS#11 module is loaded here. A fixed room (tests) shows its
        own ``tokens`` unless the app was given ``find_tokens``."""
        finder = self.app.find_tokens
        if finder is None and self.app.fixed_room is not None:
            self._tokens = self.app.fixed_room.tokens
            self.look()
            return
        self._looking = True
        self.look()
        self._find_tokens(finder or find_tokens_in_child)

    @work(thread=True, exclusive=True, group="home-tokens")
    def _find_tokens(self, finder: Callable[[], TokensSeen]) -> None:
        seen = finder()
        self.app.call_from_thread(self._found_tokens, seen)

    def _found_tokens(self, seen: TokensSeen) -> None:
        self._tokens = self.app.tokens_seen = seen
        self._looking = False
        if self.is_mounted:
            self.look()

    @on(OptionList.OptionHighlighted, "#choices")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._describe(event.option_index)

    def _describe(self, index: int) -> None:
        self.query_one("#choice-help", Static).update(CHOICES[index][2])

    @on(OptionList.OptionSelected, "#choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.app.open_choice(event.option.id)

    def action_open(self) -> None:
        choices = self.query_one("#choices", OptionList)
        if choices.highlighted is not None:
            option = choices.get_option_at_index(choices.highlighted)
            if not option.disabled and option.id is not None:
                self.app.open_choice(option.id)

    def action_rehearse(self) -> None:
        self.app.open_choice("rehearse")

    def action_verify(self) -> None:
        self.app.open_choice("verify")


ROOM_WIDTH = 30  # the room pane's text width (app.tcss: #home-room, 34 less its padding)


def room_text(room: Room, tokens: TokensSeen | None = None, *, looking: bool = False) -> Content:
    parts: list[TextPart] = [("Air gap  ", "bold")]
    if room.air_gapped:
        parts += [("closed", "$text-success bold"), "\n  no network interface is up\n"]
    else:
        parts += [
            ("OPEN", "$text-error bold"),
            f"\n  up: {', '.join(room.interfaces_up)}\n",
            ("  A production ceremony will\n  stop; a rehearsal goes on.\n", "$text-warning"),
        ]
    parts.append(("\nMedia    ", "bold"))
    if room.media or room.read_only:
        parts.append("\n")
        for path in room.media:
            parts.append("".join(f"{line}\n" for line in path_lines(path, ROOM_WIDTH)))
        for path in room.read_only:
            parts.append(("".join(f"{line}\n" for line in path_lines(path, ROOM_WIDTH)),
                          "$text-muted"))
            parts.append(("    read-only: no output here\n", "$text-muted"))
    else:
        parts.append(("none mounted\n", "$text-muted"))
    parts.append(("\nTokens   ", "bold"))
    parts += tokens_parts(tokens if tokens is not None else room.tokens, looking=looking)
    return Content.assemble(*parts)


def tokens_parts(seen: TokensSeen | None, *, looking: bool = False) -> list[TextPart]:
    if looking:
        return [("looking…\n", "$text-muted")]
    if seen is None:
        return [("not looked for (t: look)\n", "$text-muted")]
    if seen.problem is not None:
        return [("\n  " + seen.problem + "\n", "$text-warning")]
    if not seen.modules:
        return [("no PKCS#11 module installed\n", "$text-muted")]
    parts: list[TextPart] = []
    ready = [t for t in seen.tokens if t.initialized]
    free = len(seen.tokens) - len(ready)
    if not ready:
        parts.append(("no token seen\n", "$text-muted"))
    else:
        parts.append("\n")
        for token in ready:
            parts += [f"  {token.label}", (f"  serial {token.serial or 'none'}\n", "$text-muted"),
                      f"    {token.model}\n"]
    if free:
        parts.append((f"  and {free} free slot{'s' if free > 1 else ''}\n", "$text-muted"))
    for problem in seen.module_problems:
        parts.append((f"  {problem}\n", "$text-warning"))
    return parts
