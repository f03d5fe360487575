"""Open a ceremony script: load it strictly, show its sha256 and what it
does, run preflight, then run it.

Loading is the script loader's own (same checks, same messages as
``ceremony validate``). Preflight reads the current bundle and the media, so
it runs in a worker. Run is offered only once both pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
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
    from ceremony.tui.app import CeremonyApp
    from ceremony.tui.widgets import TextPart


def plan_text(plan: Plan) -> Content:
    from ceremony.describe_plan import plan_lines

    lines = plan_lines(plan)
    parts: list[TextPart] = [("sha256 of the script, to compare with the reviewed copy:\n", "bold")]
    parts += [(f"  {line}\n", "$accent bold") for line in keyid_lines(plan.script_sha256)]
    parts.append(("\n" + lines[0] + "\n", "bold"))
    parts += [line + "\n" for line in lines[1:]]
    return Content.assemble(*parts)


RECHECK_SECONDS = 2.0


def tokens_missing(result: PreflightResult | None) -> list[str]:
    """The checks that failed because a token is not inserted (by name)."""
    if result is None:
        return []
    return [c.check for c in result.failures if c.reason == "token-absent"]


def preflight_text(result: PreflightResult | None) -> Content:
    if result is None:
        return Content.assemble(("Preflight: checking…", "$warning"))
    parts: list[TextPart] = [("\nPreflight (nothing is changed)\n", "bold")]
    missing = tokens_missing(result)
    if missing:
        parts += [
            ("\n INSERT TOKEN ", "$text-warning bold reverse"),
            f"  {', '.join(missing)}: insert it (or its reader). Preflight runs again "
            f"every {RECHECK_SECONDS:.0f} seconds until it is there.\n",
        ]
    for check in result.checks:
        mark, style = ("✓", "$success") if check.ok else ("✗", "$error bold")
        parts += [(f"  {mark} ", style), (f"{check.check}: ", "bold"), f"{check.detail}\n"]
    if result.failures:
        parts.append(
            (f"\n{len(result.failures)} problem(s): fix them before running.\n", "$error bold")
        )
    else:
        parts.append(("\nPreflight passes. Ctrl+R runs the ceremony.\n", "$success bold"))
    return Content.assemble(*parts)


class OpenScriptScreen(Screen[None]):
    app: CeremonyApp  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding("enter", "check", "Check", id="script-check", priority=True),
        Binding("ctrl+r", "run", "Run", id="script-run", tooltip="Run the checked script"),
        Binding("escape", "back", "Back", id="script-back"),
    ]

    ready = reactive(False)

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.initial = path
        self.plan: Plan | None = None

    def compose(self) -> ComposeResult:
        yield Static("Open a ceremony script", classes="banner")
        with Vertical(classes="page"):
            yield Static("The reviewed script (YAML):", classes="label")
            yield Entry(self.initial, placeholder="/media/…/bootstrap.yaml", id="script-path")
            yield Note(id="script-problem", classes="error-line")
            with VerticalScroll(id="script-report"):
                yield Static("", id="plan")
                yield Static("", id="preflight")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#script-path", Input).focus()

    def watch_ready(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return True if self.ready else None
        return True

    @on(Input.Changed, "#script-path")
    def _path_changed(self) -> None:
        self.ready = False

    def action_check(self) -> None:
        from ceremony.errors import ScriptError
        from ceremony.script.load import load_script

        self.ready = False
        self.plan = None
        text = self.query_one("#script-path", Input).value.strip()
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
        self.ready = not result.failures
        if tokens_missing(result):  # "insert token": look again until it is there
            self.set_timer(RECHECK_SECONDS, lambda: self.plan is plan and self.preflight(plan))

    def action_run(self) -> None:
        if self.ready and self.plan is not None:
            self.app.start_plan(self.plan)

    def action_back(self) -> None:
        self.app.pop_screen()
