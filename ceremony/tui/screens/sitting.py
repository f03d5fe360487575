"""What the sign and seal screens share: a request opened, shown, and checked.

Both ask for the request folder and a copy of the current bundle. Enter (in
any field) reads the request with the core's reader and shows it in the
words ``ceremony inspect REQUEST`` prints, with its digest in groups to
read aloud; then a worker checks that the request extends the bundle given
(the core's check, which verifies the bundle). Ctrl+R runs the sitting on
the run screen once every check passes; asked for while a check is still
running, the fields take no more keys and the sitting starts when it passes
(what is typed next may be a passphrase).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from ceremony.errors import CeremonyError
from ceremony.safe_text import terminal_safe
from ceremony.tui.paths import typed_path
from ceremony.tui.widgets import Entry, Note, keyid_lines

if TYPE_CHECKING:
    from ceremony.sittings.request_file import SigningRequest
    from ceremony.tui.shell import CeremonyShell, CeremonySource
    from ceremony.tui.widgets import TextPart


class SittingEntry(Entry):
    """A field of a sitting's screen: Enter checks and Ctrl+R runs at once, in the
    order they were typed among the field's own keys."""

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if event.key in ("enter", "ctrl+r") and isinstance(screen, SittingScreen):
            event.prevent_default()
            event.stop()
            if self.refuses(event):
                return
            if event.key == "enter":
                screen.action_check()
            else:
                screen.action_run()


def row(label: str, widget: Widget) -> Horizontal:
    """A labelled one-line field, as the forms draw them."""
    return Horizontal(Static(label, classes="field-label"), widget, classes="field")


def request_text(request: SigningRequest) -> Content:
    """The request as ``ceremony inspect`` words it, its digest first (in groups
    to read aloud) so that it is in sight at 80x24."""
    from ceremony.sittings.show import request_lines

    lines = request_lines(request)
    parts: list[TextPart] = [("Request digest (compare it by phone, read aloud):\n", "bold")]
    parts += [(f"  {line}\n", "$text-accent bold") for line in keyid_lines(request.digest)]
    parts.append((lines[0] + "\n", "bold"))
    parts += [line + "\n" for line in lines[1:]]
    return Content.assemble(*parts).rstrip()


def ok(text: str) -> Content:
    return Content.assemble(("✓ ", "$text-success bold"), text)


def refused(text: str) -> Content:
    return Content.assemble(("✗ ", "$text-error bold"), text)


def fault(error: Exception) -> CeremonyError:
    """A fault in the tool, as a refusal the screen can show."""
    return CeremonyError(f"internal error: {type(error).__name__}",
                         todo="this is a bug, not your mistake: report it")


def said(error: CeremonyError) -> str:
    """A refusal in full, as one sentence: what, where, what to do; what it names
    from the media (a path, a field) with control characters escaped."""
    text = terminal_safe(error.message())
    return text if text.endswith(".") else f"{text}."


class SittingScreen(Screen[None]):
    """A request, a current bundle, and what the sitting adds (subclasses)."""

    app: CeremonyShell  # shown only by the ceremony app: its type, for the checker

    TITLE_TEXT = ""
    INTRO = ""
    FIELDS: tuple[tuple[str, str, str], ...] = ()  # what the sitting adds: label, id, placeholder
    RUN = ("Run", "Running", "Run the sitting once checked")  # key, under way, tooltip

    BINDINGS = [
        Binding("enter", "check", "Check", id="sitting-check"),
        Binding("escape", "back", "Back", id="sitting-back"),
    ]

    def __init_subclass__(cls, **options: bool) -> None:
        key, _, tooltip = cls.RUN  # Ctrl+R, named for what it runs (set before Textual
        cls.BINDINGS = [  # merges the bindings of the class)
            Binding("ctrl+r", "run", key, id=f"{key.lower()}-run", tooltip=tooltip)]
        super().__init_subclass__(**options)

    ready = reactive(False)

    def __init__(self) -> None:
        super().__init__()
        self.request: SigningRequest | None = None
        self.folder: Path | None = None
        self.current: Path | None = None
        self.checking = False
        self.holding_keys = False  # Ctrl+R came while checking: no field takes keys
        self.extends_ok = False
        # the request's and the bundle's fields as Enter checked them (the other
        # fields are read when the sitting starts)
        self.checked: dict[str, str] = {}
        self.stop = ""  # why the last check does not let the sitting run
        # the request (digest) and bundle last found to extend it, and the words said
        self.extended: tuple[str, Path | None] | None = None
        self.extends_words = ""

    def compose(self) -> ComposeResult:
        yield Static(self.TITLE_TEXT, classes="banner")
        with Vertical(classes="page"):
            yield Static(self.INTRO, classes="intro")
            yield row("Request", SittingEntry(placeholder="/media/…/request (a folder)",
                                              id="request-path", compact=True))
            yield row("Current bundle", SittingEntry(placeholder="/media/…/your copy",
                                                     id="current-path", compact=True))
            for label, field_id, placeholder in self.FIELDS:
                yield row(label, SittingEntry(placeholder=placeholder, id=field_id, compact=True))
            yield from self.more_fields()
            yield Note(id="sitting-problem", classes="error-line")
            with VerticalScroll(id="sitting-report"):
                yield Note(id="sitting-extends")
                yield from self.results()
                yield Static("", id="request-text")
        yield Footer()

    def more_fields(self) -> ComposeResult:
        yield from ()

    def results(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#request-path", Input).focus()

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def problem(self, text: str | Content) -> None:
        self.query_one("#sitting-problem", Note).say(
            refused(text) if isinstance(text, str) and text else text
        )

    def watch_ready(self) -> None:
        self.refresh_bindings()

    def on_input_changed(self, event: Input.Changed) -> None:
        """A check is for the values it was given: a changed field has none yet.
        (Typed fast, news of a change may come after Enter checked the field as
        it is now: the field's value, not the news, decides.)"""
        field = event.input.id or ""
        if field not in self.checked or self.checked[field] == event.input.value:
            return
        self.checked = {}
        if self.ready or self.checking:
            self.ready = self.checking = False
            self.problem(Content.assemble(("Changed: ", "bold"), "Enter checks again."))

    # Checking ------------------------------------------------------------------

    def action_check(self) -> None:
        """Read the request and show it; check in a worker that it extends the
        current bundle given, then what the sitting adds."""
        from ceremony.sittings.request_file import read_request

        if self.holding_keys:
            return  # a run is asked for: its check answers first
        self.ready = self.checking = False  # a check still running is for older values
        self.checked = {field: self.query_one(f"#{field}", Input).value
                        for field in ("request-path", "current-path")}
        self.problem("")
        extends = self.query_one("#sitting-extends", Note)
        extends.say("")
        text = self.value("request-path")
        if not text:
            self.problem("Type the path of the request folder (`ceremony request` wrote it).")
            return
        folder = typed_path(text, self.app.workdir)
        try:
            request = read_request(folder)
        except CeremonyError as error:
            self.request = None
            self.query_one("#request-text", Static).update("")
            self.problem(said(error))
            return
        self.request, self.folder = request, folder
        self.query_one("#request-text", Static).update(request_text(request))
        current = self.value("current-path")
        if not current:
            self.problem("Type the path of the current bundle: the request must extend it.")
            return
        self.current = typed_path(current, self.app.workdir)
        self.checking = True
        extends.say(Content.assemble(("Checking the current bundle…", "$text-warning")))
        self.check_extends(request, self.current)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sitting-check")
    def check_extends(self, request: SigningRequest, current: Path) -> None:
        from ceremony.sittings.checks import extends

        more: object = None
        try:
            if self.extended == (request.digest, current):
                words: str | CeremonyError = self.extends_words  # only what is added is new
            else:
                words = extends(request, current, self.app.clock())
            more = self.check_more(request)
        except CeremonyError as error:
            words = error
        except Exception as error:  # a fault in the tool: said, never a check left hanging
            words = fault(error)
        self.app.call_from_thread(self._checked, request, words, more)

    def check_more(self, request: SigningRequest) -> object:
        """What the sitting checks besides (in the worker); given to :meth:`show_more`."""
        return None

    def show_more(self, more: object) -> str:
        """Show what :meth:`check_more` found; a problem that stops the run, or ""."""
        return ""

    def _checked(
        self, request: SigningRequest, words: str | CeremonyError, more: object
    ) -> None:
        if request is not self.request or not self.checking:
            return  # another check, or a field changed since
        self.checking = False
        extends = self.query_one("#sitting-extends", Note)
        if isinstance(words, CeremonyError):
            extends.say(refused(said(words)))
            self.extends_ok = False
        else:
            extends.say(ok(words[:1].upper() + words[1:]))
            self.extends_ok = True
            self.extended, self.extends_words = (request.digest, self.current), words
        stop = self.show_more(more) if self.extends_ok else "the request does not extend it"
        self.stop = stop
        self.ready = self.extends_ok and not stop
        if self.holding_keys:
            self.holding_keys = False
            if self.ready:
                self.start()
                return
            self.problem(f"Not started: {stop}.")

    # Running ---------------------------------------------------------------------

    def action_run(self) -> None:
        """Run the sitting once checked; never silently nothing: say what is missing."""
        if self.ready and self.request is not None:
            self.start()
            return
        if self.checking:
            self.holding_keys = True
            self.problem(Content.assemble(
                ("Still checking: ", "bold"), f"{self.RUN[1]} starts as soon as it passes."))
        elif self.request is None:
            self.problem("Not checked yet: Enter reads the request, then Ctrl+R runs.")
        else:
            self.problem(f"Not ready: {self.stop}. Fix it, then Enter checks again.")

    def start(self) -> None:
        raise NotImplementedError

    def run_sitting(self, source: CeremonySource, heading: str, *, verify: bool) -> None:
        """Run ``source`` on the run screen (F7's exceptions go into a ceremony's
        transcript; a sitting's is the core's, so none is offered)."""
        self.app.witness = None
        self.app.start_ceremony(source, heading=heading, verify=verify)

    def action_back(self) -> None:
        self.app.pop_screen()
