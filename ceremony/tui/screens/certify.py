"""Certify a new key for a request: a new keyholder's own sitting.

Before the coordinator writes a request that adds their key, a new
keyholder gives their copy of the current bundle, the new key (its name in
the script, and where it lives: a ``pkcs11:`` URI or its key file), the
public key they made with it, an optional expiry and where the file goes.
Enter runs the core's sitting (ceremony/sittings/certify.py, the same call
as ``ceremony certify``) in a worker: the bundle is verified, the key opened
(its passphrase or PIN asked in the masked secret modal, never a field
here), and the file written whole to a new path. The screen then says what
was written (its sha256, for the paper log) and the next step. A refusal is
shown in the error modal and on the problem line; nothing is written.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ceremony.describe import grouped_lines
from ceremony.errors import CeremonyAbandonedError, CeremonyError
from ceremony.tui.modals.question import QuestionModal
from ceremony.tui.operator import OperatorAsked, TuiOperator, settle
from ceremony.tui.paths import typed_path
from ceremony.tui.screens.sitting import fault, ok, refused, row, said
from ceremony.tui.widgets import Entry, Note

if TYPE_CHECKING:
    from ceremony.sittings.sign import KeyChoice
    from ceremony.tui.shell import CeremonyShell

AnswerT = TypeVar("AnswerT")

# label, field id, placeholder, what to say when it is empty ("": optional)
FIELDS = (
    ("Current bundle", "certify-current", "/media/…/your copy",
     "Type the path of your copy of the current bundle (Current bundle)."),
    ("Key name", "certify-name", "root-dave: its name in the script",
     "Name the new key (Key name): its name in the coordinator's script."),
    ("Key lives at", "certify-where", "pkcs11:… or /media/…/root-dave.age",
     "Say where the key lives (Key lives at): its token's pkcs11: URI, or its key file."),
    ("Public key", "certify-public", "/media/…/root-dave.pem, as you made it",
     "Give the key's public key file (Public key): the PEM you sent the coordinator."),
    ("Expires", "certify-expires", "optional: 2037-03-01 or 11y (default: flavor's)", ""),
    ("Write to", "certify-output", "/media/…/root-dave.certs.json (new)",
     "Say where the file goes (Write to): a new file."),
)

STOPPED = "Stopped: nothing was written. Enter certifies again."
STOP_WORDS = ("Stop certifying?", "Nothing is written: the key is closed and no file is made.",
              "Stop")


class CertifyScreen(Screen[None]):
    app: CeremonyShell  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding("enter", "certify", "Certify", id="certify-run", priority=True,
                tooltip="Open the key (its passphrase or PIN asked masked) and write the file"),
        Binding("escape", "back", "Back", id="certify-back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.holding_keys = False  # certifying: the fields take no keys (a PIN may be next)
        self.operator: TuiOperator | None = None
        self.written: Path | None = None

    def compose(self) -> ComposeResult:
        yield Static("Certify a new key for a request", classes="banner")
        with Vertical(classes="page"):
            yield Static("A new keyholder's own sitting, before the request: the new key "
                         "signs what its flavor needs beside its public key (DCT: a "
                         "certificate for each GUN). Enter opens the key (its passphrase or "
                         "PIN asked masked) and writes the file; nothing in it is secret.",
                         classes="intro")
            for label, field_id, placeholder, _ in FIELDS:
                yield row(label, Entry(placeholder=placeholder, id=field_id, compact=True))
            yield Note(id="certify-problem", classes="error-line")
            with VerticalScroll(id="sitting-report"):
                yield Note(id="certify-written")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#certify-current", Input).focus()

    def on_unmount(self) -> None:
        if self.operator is not None:
            self.operator.leave("the keyholder left the Certify screen")

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def problem(self, text: str | Content) -> None:
        self.query_one("#certify-problem", Note).say(
            refused(text) if isinstance(text, str) and text else text)

    # Certifying -------------------------------------------------------------------

    def action_certify(self) -> None:
        """Read the fields; certify in a worker once each required one is given."""
        from ceremony.script.expiry import parse_expiry
        from ceremony.sittings.sign import KeyChoice

        if self.holding_keys:
            return
        for _, field_id, _, empty in FIELDS:
            if empty and not self.value(field_id):
                self.problem(empty)
                self.query_one(f"#{field_id}", Input).focus()
                return
        expires: datetime | None = None
        if self.value("certify-expires"):
            try:
                expires = parse_expiry(self.value("certify-expires"), now=self.app.clock(),
                                       where="Expires")
            except CeremonyError as error:
                self.problem(said(error))
                return
        workdir = self.app.workdir
        output = typed_path(self.value("certify-output"), workdir)
        if output == self.written:  # done: Enter again would only be refused
            self.problem(Content.assemble(
                ok(f"Already written: {output}. "),
                "Esc goes back; to certify another key, name another file."))
            return
        where = self.value("certify-where")  # a key file's path, as typed, is the workdir's
        if not where.startswith("pkcs11:"):
            where = str(typed_path(where, workdir))
        choice = KeyChoice(self.value("certify-name"), where)
        self.holding_keys = True
        self.query_one("#certify-written", Note).say("")
        self.problem(Content.assemble(
            ("Certifying: checking your bundle, then opening the key…", "$text-warning")))
        self.operator = TuiOperator(self.post_message)
        self.certify(self.operator, output, typed_path(self.value("certify-current"), workdir),
                     choice, typed_path(self.value("certify-public"), workdir), expires)

    @work(thread=True, exclusive=True, exit_on_error=False, group="certify")
    def certify(self, operator: TuiOperator, output: Path, current: Path, choice: KeyChoice,
                public: Path, expires: datetime | None) -> None:
        from ceremony.sittings.certify import certify_to_file
        from hsm.errors import KeyBackendError

        try:
            data = certify_to_file(output, current, choice, public, operator=operator,
                                   clock=self.app.clock, expires=expires)
        except CeremonyError as error:
            self.app.call_from_thread(self._refused, error, output)
        except KeyBackendError as error:
            self.app.call_from_thread(
                self._refused, CeremonyError(error.what, todo=error.todo or
                                             "check the key or token named, then try again"),
                output)
        except Exception as error:  # a fault in the tool: said, never a screen left waiting
            self.app.call_from_thread(self._refused, fault(error), output)
        else:
            self.app.call_from_thread(self._certified, data, output, choice.name)

    @on(OperatorAsked)
    def _operator_asked(self, message: OperatorAsked[AnswerT]) -> None:
        """A passphrase or PIN: the engine's own secret modal, over this screen."""
        if self.operator is None or self.operator.leaving.is_set():
            settle(message.answer, None)
            return
        modal = message.make()
        if isinstance(modal, QuestionModal):
            modal.stop_words = STOP_WORDS
        self.app.push_screen(modal, callback=lambda result: settle(message.answer, result))

    def _refused(self, error: CeremonyError, output: Path) -> None:
        from ceremony.tui.modals.error import RefusalModal

        self.holding_keys, self.operator = False, None
        if not self.is_mounted:
            return
        if isinstance(error, CeremonyAbandonedError):
            self.problem(STOPPED)
            return
        self.problem(f"Not certified: {said(error)}")
        what = f"{error.where}: {error.what}" if error.where else error.what
        note = f"Nothing was written: {output} was not made." if not output.exists() else ""
        self.app.push_screen(
            RefusalModal("The key was not certified", what, error.todo,
                         (note,) if note else ()),
            callback=self._after_refusal,
        )

    def _after_refusal(self, where: str | None) -> None:
        if where == "home":
            self.app.go_home()

    def _certified(self, data: bytes, output: Path, name: str) -> None:
        from ceremony.sittings.certify import next_step

        self.holding_keys, self.operator = False, None
        if not self.is_mounted:
            return
        self.written = output
        self.problem("")
        digest = hashlib.sha256(data).hexdigest()
        self.query_one("#certify-written", Note).say(Content.assemble(
            ok(f"Wrote {output} ({len(data)} bytes). Its sha256, for the paper log:\n"),
            *(f"  {line}\n" for line in grouped_lines(digest)),
            ("Next: ", "bold"), next_step(output, name) + ".",
        ))

    def action_back(self) -> None:
        if self.holding_keys:
            self.problem(Content.assemble(
                ("Certifying: ", "bold"), "wait for it (Escape in the passphrase prompt stops)."))
            return
        self.app.pop_screen()
