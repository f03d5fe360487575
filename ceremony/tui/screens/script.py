"""Open a ceremony script: load it strictly, show its sha256 and what it
does, run preflight, then run it.

Loading is the script loader's own (same checks, same messages as
``ceremony validate``). Preflight reads the current bundle and the media, so
it runs in a worker. Run is offered only once both pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ceremony.tui.widgets import Entry, Note, keyid_lines

if TYPE_CHECKING:  # loaded when a script is opened, not before
    from ceremony.engine.preflight_result import PreflightResult
    from ceremony.script.plan import Plan
    from ceremony.tui.shell import CeremonyShell
    from ceremony.tui.widgets import TextPart


def plan_text(plan: Plan) -> Content:
    from ceremony.describe_plan import plan_lines

    lines = plan_lines(plan)
    parts: list[TextPart] = [("sha256 of the script, to compare with the reviewed copy:\n", "bold")]
    parts += [(f"  {line}\n", "$text-accent bold") for line in keyid_lines(plan.script_sha256)]
    parts.append(("\n" + lines[0] + "\n", "bold"))
    parts += [line + "\n" for line in lines[1:]]
    return Content.assemble(*parts)


RECHECK_SECONDS = 2.0


def tokens_missing(result: PreflightResult | None) -> list[str]:
    """The checks that failed because a token is not inserted (by name)."""
    if result is None:
        return []
    return [c.check for c in result.failures if c.reason == "token-absent"]


def preflight_text(
    result: PreflightResult | None, then: str = "Ctrl+R runs the ceremony."
) -> Content:
    """Preflight's checks; ``then`` is what to do once it passes."""
    from ceremony.check_groups import grouped

    if result is None:
        return Content.assemble(("Preflight: checking…", "$text-warning"))
    parts: list[TextPart] = [("\nPreflight (nothing is changed)\n", "bold")]
    missing = tokens_missing(result)
    if missing:
        parts += [
            ("\n INSERT TOKEN ", "$text-warning bold reverse"),
            f"  {', '.join(missing)}: insert it (or its reader). Preflight runs again "
            f"every {RECHECK_SECONDS:.0f} seconds until it is there.\n",
        ]
    for check in grouped(result.checks):  # alike checks of many GUNs: one line
        mark, style = ("✓", "$text-success") if check.ok else ("✗", "$text-error bold")
        parts += [(f"  {mark} ", style), (f"{check.check}: ", "bold"), f"{check.detail}\n"]
    if result.failures:
        parts.append((f"\n{len(result.failures):,} problem(s): fix them before running.\n",
                      "$text-error bold"))
    else:
        parts.append((f"\nPreflight passes. {then}\n", "$text-success bold"))
    return Content.assemble(*parts)


class ScriptPathEntry(Entry):
    """The script's path. Enter checks it and Ctrl+R runs it in the order they
    were typed among the path's own keys: typed fast, Enter checks the whole
    path, and keys typed after Ctrl+R are not read as part of the path."""

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if event.key in ("enter", "ctrl+r") and isinstance(screen, OpenScriptScreen):
            event.prevent_default()
            event.stop()
            if event.key == "enter":
                screen.action_check()
            else:
                screen.action_run()


class OpenScriptScreen(Screen[None]):
    app: CeremonyShell  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding("enter", "check", "Check", id="script-check"),
        Binding("ctrl+r", "run", "Run", id="script-run", tooltip="Run the checked script"),
        Binding("ctrl+t", "request", "Write request", id="script-request",
                tooltip="Write the checked script as a signing request for keyholders who "
                "sign elsewhere"),
        Binding("escape", "back", "Back", id="script-back"),
    ]

    ready = reactive(False)

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.initial = path
        self.plan: Plan | None = None
        self.preflighted = False  # the plan's preflight has answered
        # Ctrl+R came while preflight was checking: the ceremony starts when it
        # passes, and until then the path field takes no keys (they were typed
        # for the ceremony, perhaps a passphrase, not for the path)
        self.holding_keys = False
        self.checked = ""  # the path the verdict on screen is for

    def compose(self) -> ComposeResult:
        yield Static("Open a ceremony script", classes="banner")
        with Vertical(classes="page"):
            yield Static("The reviewed script (YAML):", classes="label")
            yield ScriptPathEntry(
                self.initial, placeholder="/media/…/bootstrap.yaml", id="script-path"
            )
            yield Note(id="script-problem", classes="error-line")
            with VerticalScroll(id="script-report"):
                yield Static("", id="plan")
                yield Static("", id="preflight")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#script-path", Input).focus()

    def watch_ready(self) -> None:
        self.refresh_bindings()

    @on(Input.Changed, "#script-path")
    def _path_changed(self, event: Input.Changed) -> None:
        """A verdict is for the path it was given: a changed path has none yet.
        (Typed fast, news of a change may arrive after Enter checked the path
        as it is now: the field's value, not the news, decides.)"""
        if self.checked == event.input.value.strip() or (self.plan is None and not self.ready):
            return
        self.checked = ""
        self.ready = False
        self.plan = None
        self.query_one("#plan", Static).update("")
        self.query_one("#preflight", Static).update("")
        self.query_one("#script-problem", Note).say("The path changed: Enter checks it.")

    def action_check(self) -> None:
        from ceremony.errors import ScriptError
        from ceremony.script.load import load_script

        if self.holding_keys:
            return  # a run is asked for; its preflight answers first
        self.ready = False
        self.plan = None
        self.preflighted = False
        text = self.checked = self.query_one("#script-path", Input).value.strip()
        problem = self.query_one("#script-problem", Note)
        self.query_one("#plan", Static).update("")
        self.query_one("#preflight", Static).update("")
        if not text:
            problem.say("Type the path of a ceremony script.")
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.app.workdir / path
        try:
            plan = load_script(path, now=self.app.clock())
        except ScriptError as error:
            problem.say(str(error))
            return
        problem.say("")
        self.plan = plan
        self.query_one("#plan", Static).update(plan_text(plan))
        self.query_one("#preflight", Static).update(preflight_text(None))
        self.preflight(plan)

    @work(thread=True, exclusive=True, exit_on_error=False, group="preflight")
    def preflight(self, plan: Plan) -> None:
        from ceremony.engine.preflight import preflight

        result = preflight(plan, now=self.app.clock())
        self.app.call_from_thread(self._preflighted, plan, result)

    def _preflighted(self, plan: Plan, result: PreflightResult) -> None:
        if plan is not self.plan:
            return
        self.query_one("#preflight", Static).update(preflight_text(result))
        self.preflighted = True
        self.ready = not result.failures
        if self.holding_keys:
            self.holding_keys = False
            if self.ready:
                self.app.start_plan(plan)
                return
            self.query_one("#script-problem", Note).say(
                "Not run: preflight found problems. Fix them, then Enter checks again."
            )
        if tokens_missing(result):  # "insert token": look again until it is there
            self.set_timer(RECHECK_SECONDS, lambda: self.plan is plan and self.preflight(plan))

    def action_run(self) -> None:
        """Run the checked script; never silently nothing: say what is missing."""
        if self.plan is not None and self.plan.request_expires is not None:
            self.query_one("#script-problem", Note).say(
                "This script is signed in several sittings (request-expires:), never run in "
                "one: Ctrl+T writes its signing request.")
            return
        if self.ready and self.plan is not None:
            self.app.start_plan(self.plan)
            return
        problem = self.query_one("#script-problem", Note)
        if self.plan is None:
            problem.say("Not checked yet: Enter checks the script, then Ctrl+R runs it.")
        elif not self.preflighted:
            self.holding_keys = True
            problem.say("Preflight is still checking: the ceremony starts as soon as it passes.")
        else:
            problem.say("Preflight found problems: fix them, then Enter checks again.")

    def action_request(self) -> None:
        """Write the checked script as a signing request (its own screen)."""
        if self.holding_keys:
            return
        if self.plan is None:
            self.query_one("#script-problem", Note).say(
                "Not checked yet: Enter checks the script, then Ctrl+T writes its signing "
                "request.")
            return
        from ceremony.tui.screens.request import RequestScreen

        self.app.push_screen(RequestScreen(self.plan))

    def action_back(self) -> None:
        self.app.pop_screen()
