"""Rehearse: the three embedded ceremonies into a new folder, by themselves.

Nobody types: every passphrase is random and lives only in memory, so the
keys made can never be opened again. The run screen shows every step.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ceremony.tui.widgets import Entry

if TYPE_CHECKING:
    from ceremony.tui.shell import CeremonyShell

ABOUT = (
    "A rehearsal runs {count} ceremonies, one after another, on software keys: "
    "{names}. Nobody types: every output is marked REHEARSAL, the passphrases "
    "are random and forgotten, so the keys are practice only. The scripts are "
    "written into the folder for you to read."
)


def about() -> str:
    from ceremony.flavor import flavor_named, flavor_names

    scripts = flavor_named(flavor_names()[0]).rehearsal_scripts()
    names = [name.split("-", 1)[1].removesuffix(".yaml").replace("-", " ") for name, _ in scripts]
    return ABOUT.format(count=len(scripts), names=", ".join(names))


class RehearseScreen(Screen[None]):
    app: CeremonyShell  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding("enter", "start", "Start", id="rehearse-start", priority=True),
        Binding("escape", "back", "Back", id="rehearse-back"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Rehearse", classes="banner")
        with Vertical(classes="page"):
            yield Static(about(), classes="help")
            yield Static("A new folder for the results (it must not exist yet):", classes="label")
            stamp = self.app.clock().strftime("%Y%m%d-%H%M%S")
            yield Entry(str(self.app.workdir / f"rehearsal-{stamp}"), id="folder")
            yield Static("", id="folder-problem", classes="error-line")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#folder", Input).focus()

    def action_start(self) -> None:
        text = self.query_one("#folder", Input).value.strip()
        problem = self.query_one("#folder-problem", Static)
        if not text:
            problem.update("Name a folder for the results.")
            return
        folder = Path(text).expanduser()
        if not folder.is_absolute():
            folder = self.app.workdir / folder
        if folder.exists():
            problem.update(f"{folder} already exists: name a new folder.")
            return
        if not folder.parent.is_dir():
            problem.update(
                f"{folder.parent} is not a folder: make it first, or name another place."
            )
            return
        self.app.start_rehearsal(folder)

    def action_back(self) -> None:
        self.app.pop_screen()
