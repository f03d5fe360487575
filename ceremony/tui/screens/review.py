"""Review a script built from the forms, save it (never over a file), run it
(or write it as a signing request, Ctrl+T).

What is shown is exactly the text that is saved and whose sha256 the
ceremony reads aloud at its start. Saving creates the file exclusively and
reads it back; the run takes the saved file through the loader again, as
``ceremony run`` would.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from ceremony.tui.screens.script import plan_text, preflight_text
from ceremony.tui.widgets import Note

if TYPE_CHECKING:
    from ceremony.engine.preflight_result import PreflightResult
    from ceremony.script.plan import Plan
    from ceremony.tui.shell import CeremonyShell
    from ceremony.tui.widgets import TextPart


class ReviewScreen(Screen[None]):
    app: CeremonyShell  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding(
            "ctrl+s", "save", "Save", id="review-save",
            tooltip="Save the script (never over a file)",
        ),
        Binding("ctrl+r", "run", "Run", id="review-run", tooltip="Run the saved script"),
        Binding("ctrl+t", "request", "Write request", id="review-request",
                tooltip="Write the saved script as a signing request for keyholders who "
                "sign elsewhere"),
        Binding("escape", "back", "Back to the form", id="review-back"),
    ]

    saved = reactive(False)
    preflight_ok = reactive(False)

    def __init__(self, text: str, path: Path) -> None:
        super().__init__()
        self.text = text
        self.path = path
        self.plan: Plan | None = None  # the saved script, loaded back
        self.result: PreflightResult | None = None  # preflight's last answer

    def compose(self) -> ComposeResult:
        yield Static("Review the script, then save it and run it", classes="banner")
        yield Note(id="review-saved")  # above the scrolled text: always in sight
        with VerticalScroll(id="review-body"):
            yield Static(
                Content.from_markup("It will be saved as [b]$path[/b]", path=str(self.path)),
                id="review-where",
            )
            yield Static(numbered(self.text), id="script-text")
            yield Static("", id="plan")
            yield Static("", id="preflight")
        yield Footer()

    def on_mount(self) -> None:
        from ceremony.script.load import load_script_text

        self.query_one("#review-body").focus()
        plan = load_script_text(self.text, path=self.path, now=self.app.clock())
        self.plan_checked = plan
        if self.in_sittings:
            self.query_one(".banner", Static).update(
                "Review the script, then save it and write its signing request")
        self.query_one("#plan", Static).update(plan_text(plan))
        self.query_one("#preflight", Static).update(preflight_text(None))
        self.preflight(plan)

    @work(thread=True, exclusive=True, exit_on_error=False, group="preflight")
    def preflight(self, plan: Plan) -> None:
        from ceremony.engine.preflight import preflight

        result = preflight(plan, now=self.app.clock())
        self.app.call_from_thread(self._preflighted, result)

    def _preflighted(self, result: PreflightResult) -> None:
        from ceremony.tui.screens.script import RECHECK_SECONDS, tokens_missing

        self.result = result
        self.show_preflight()
        self.preflight_ok = not result.failures
        if tokens_missing(result):  # "insert token": look again until it is there
            self.set_timer(RECHECK_SECONDS, lambda: self.preflight(self.plan_checked))

    @property
    def in_sittings(self) -> bool:
        """Signed in several sittings (``request-expires:``): written as a request, never run."""
        return self.plan_checked.request_expires is not None

    def next_step(self) -> str:
        """What the saved script is for: a run, or its signing request."""
        return "Ctrl+T writes its signing request." if self.in_sittings else (
            "Ctrl+R runs the ceremony.")

    def show_preflight(self) -> None:
        then = self.next_step() if self.saved else (
            f"Save it first: Ctrl+S saves the script, then {self.next_step()}"
        )
        self.query_one("#preflight", Static).update(preflight_text(self.result, then))

    def watch_saved(self) -> None:
        self.refresh_bindings()

    def watch_preflight_ok(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return None if self.saved else True
        return True  # Ctrl+R always answers: it runs, or says what is missing

    def action_save(self) -> None:
        from ceremony.errors import ScriptError
        from ceremony.script.load import load_script

        note = self.query_one("#review-saved", Note)
        data = self.text.encode("utf-8")
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            note.say(refused(f"{self.path} exists already: "
                             "go back to the form and name a new file."))
            return
        except OSError as error:
            note.say(refused(f"cannot create {self.path}: "
                             f"{error.strerror}. Check the folder exists and is writable."))
            return
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            self.plan = load_script(self.path, now=self.app.clock())
        except ScriptError as error:
            note.say(refused(f"the saved file does not load: {error}"))
            return
        digest = hashlib.sha256(data).hexdigest()
        if self.plan.script_sha256 != digest:
            note.say(refused("the saved file reads back different: check the media"))
            return
        self.saved = True
        self.query_one(".banner", Static).update(
            Content.assemble(("Saved as ", "bold"), str(self.path))
        )
        self.query_one("#review-where", Static).update(
            Content.from_markup("Saved as [b]$path[/b]", path=str(self.path))
        )
        self.show_preflight()
        note.say(Content.assemble(("✓ Saved. ", "$text-success bold"), self.next_step()))

    def action_run(self) -> None:
        """Run the saved script, or say what is missing: never silently nothing."""
        if self.in_sittings:
            self.query_one("#review-saved", Note).say(refused(
                "This script is signed in several sittings (request-expires:), never run in "
                "one: " + ("Ctrl+T" if self.saved else "Ctrl+S saves it, then Ctrl+T")
                + " writes its signing request."))
            return
        if self.saved and self.preflight_ok and self.plan is not None:
            self.app.start_plan(self.plan)
            return
        note = self.query_one("#review-saved", Note)
        if not self.saved:
            note.say(refused("Not saved yet: Ctrl+S saves the script first, then Ctrl+R runs it."))
        elif self.result is None:
            note.say(Content.assemble(("Preflight is still checking: ", "bold"),
                                      "Ctrl+R runs the ceremony once it passes."))
        else:
            note.say(refused("Preflight found problems: fix them before running."))

    def action_request(self) -> None:
        """Write the saved script as a signing request (its own screen)."""
        if not self.saved or self.plan is None:
            self.query_one("#review-saved", Note).say(refused(
                "Not saved yet: Ctrl+S saves the script first, then Ctrl+T writes its "
                "signing request."))
            return
        from ceremony.tui.screens.request import RequestScreen

        self.app.push_screen(RequestScreen(self.plan))

    def action_back(self) -> None:
        self.app.pop_screen()


def refused(text: str) -> Content:
    """Why the script was not saved (or not as written), marked as an error."""
    return Content.assemble(("✗ ", "$text-error bold"), text)


def numbered(text: str) -> Content:
    parts: list[TextPart] = []
    for n, line in enumerate(text.splitlines(), 1):
        parts += [(f"{n:>3} ", "$text-muted"), line + "\n"]
    return Content.assemble(*parts)
