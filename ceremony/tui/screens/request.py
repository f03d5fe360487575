"""Write a checked script as a signing request, for keyholders who sign elsewhere.

Reached from "Open a ceremony script" (Ctrl+T). The coordinator names the
request folder (and, optionally, an earlier request this one replaces);
Enter writes it with the core's own calls (ceremony/sittings/request.py,
the same as ``ceremony request``) in a worker, since it verifies the
current bundle. Then the screen shows the request digest in groups to read
aloud and as a QR code, and the request in the words ``ceremony inspect``
prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ceremony.errors import CeremonyError
from ceremony.tui.paths import typed_path
from ceremony.tui.screens.sitting import fault, ok, refused, request_text, row, said
from ceremony.tui.widgets import Entry, Note

if TYPE_CHECKING:
    from ceremony.script.plan import Plan
    from ceremony.sittings.request_file import SigningRequest
    from ceremony.tui.shell import CeremonyShell


class RequestScreen(Screen[None]):
    app: CeremonyShell  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding("enter", "write", "Write the request", id="request-write", priority=True),
        Binding("escape", "back", "Back", id="request-back"),
    ]

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan
        self.writing = False
        self.written: SigningRequest | None = None

    def compose(self) -> ComposeResult:
        output = self.plan.output
        yield Static(f"Write a signing request · {self.plan.title}", classes="banner")
        with Vertical(classes="page"):
            yield Static("The request holds the unsigned root, who must sign it and a summary "
                         "of what changes; never a private key. Enter writes it (the folder "
                         "must not exist).", classes="intro")
            yield row("Request to", Entry(str(output.with_name(f"{output.name}-request")),
                                          id="request-output", compact=True))
            yield row("Replaces", Entry(placeholder="an earlier request folder (optional)",
                                        id="request-replaces", compact=True))
            yield Note(id="request-problem", classes="error-line")
            with VerticalScroll(id="sitting-report"):
                yield Note(id="request-written")
                yield Static("", id="request-text")
                yield Static("", id="request-qr", classes="qr")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#request-output", Input).focus()

    def action_write(self) -> None:
        if self.writing or self.written is not None:
            return
        problem = self.query_one("#request-problem", Note)
        text = self.query_one("#request-output", Input).value.strip()
        if not text:
            problem.say(refused("Name a new folder for the request."))
            return
        replaces = self.query_one("#request-replaces", Input).value.strip()
        self.writing = True
        problem.say(Content.assemble(("Checking the script and writing the request…",
                                      "$text-warning")))
        self.write(typed_path(text, self.app.workdir),
                   typed_path(replaces, self.app.workdir) if replaces else None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="request")
    def write(self, folder: Path, replaces: Path | None) -> None:
        from ceremony.sittings.request import make_request
        from ceremony.sittings.request_file import read_request, write_request

        try:
            old = read_request(replaces).digest if replaces else None
            request = make_request(self.plan, self.app.clock, replaces=old)
            write_request(request, folder)
        except CeremonyError as error:
            self.app.call_from_thread(self._refused, error)
            return
        except Exception as error:  # a fault in the tool: said, never a screen left waiting
            self.app.call_from_thread(self._refused, fault(error))
            return
        self.app.call_from_thread(self._written, request, folder)

    def _refused(self, error: CeremonyError) -> None:
        self.writing = False
        self.query_one("#request-problem", Note).say(refused(said(error)))

    def _written(self, request: SigningRequest, folder: Path) -> None:
        from ceremony.describe import qr_lines

        self.writing = False
        self.written = request
        self.query_one("#request-problem", Note).say("")
        self.query_one("#request-written", Note).say(ok(
            f"Wrote the request {folder}: write its digest in the paper log, then carry a "
            "copy to each keyholder (Sign a request from another sitting)."))
        self.query_one("#request-text", Static).update(request_text(request))
        self.query_one("#request-qr", Static).update("\n".join(qr_lines(request.digest)))

    def action_back(self) -> None:
        self.app.pop_screen()
