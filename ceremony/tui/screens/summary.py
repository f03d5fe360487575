"""The end of a ceremony: what was made, checked, and read aloud.

For each ceremony: the bundle, whether ``verify_bundle`` finds it sound (run
here in a worker unless the stream already verified it, as a rehearsal
does), root and targets versions and expiries, the keys, and the transcript
head in groups of four to read aloud and write on the paper record.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from ceremony.tui.record import KIND_NAMES, CeremonyRecord
from ceremony.tui.widgets import keyid_lines

if TYPE_CHECKING:
    from ceremony.tui.app import CeremonyApp
    from ceremony.tui.widgets import TextPart


class SummaryScreen(Screen[None]):
    app: CeremonyApp  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding("h", "home", "Home", id="summary-home", tooltip="Back to the home screen"),
        Binding(
            "k", "keys", "Keys & QR", id="summary-keys", tooltip="Every key id, with a QR code"
        ),
        Binding(
            "escape", "back", "Ceremony log", id="summary-log", tooltip="Back to the run screen"
        ),
    ]

    def __init__(self, records: list[CeremonyRecord], *, verify: bool = True) -> None:
        super().__init__()
        self.records = records
        self.verify = verify

    def compose(self) -> ComposeResult:
        yield Static("", id="summary-banner", classes="banner")
        with VerticalScroll(id="summary-body"):
            yield Static("", id="summary-verdict")
            for n, record in enumerate(self.records):
                yield Static("", id=f"record-{n}", classes="record")
                if record.sealed is not None:
                    head = Static(
                        Content.assemble(
                            *[(f"{line}\n" if i == 0 else line, "$text-accent bold")
                              for i, line in enumerate(keyid_lines(record.sealed.transcript_head))]
                        ),
                        classes="head-box",
                    )
                    head.border_title = "Transcript head"
                    head.border_subtitle = "read it aloud, write it on paper"
                    yield head
        yield Footer()

    def on_mount(self) -> None:
        self.redraw()
        self.query_one("#summary-body").focus()
        if self.verify:
            for n, record in enumerate(self.records):
                if record.sealed is not None and record.problems is None:
                    self.check(n, record.sealed.output)

    @work(thread=True, exit_on_error=False, group="verify")
    def check(self, n: int, output: str) -> None:
        from ceremony.verify import verify_bundle

        try:
            report = verify_bundle(Path(output))
            problems = tuple(str(p) for p in report.problems)
        except Exception as error:  # the verifier must report, never raise; say so if it does
            problems = (f"the verifier could not run: {type(error).__name__}",)
        self.app.call_from_thread(self._checked, n, problems)

    def _checked(self, n: int, problems: tuple[str, ...]) -> None:
        self.records[n].problems = problems
        self.redraw()

    def redraw(self) -> None:
        sealed = [r for r in self.records if r.sealed is not None]
        verified = [r for r in sealed if r.verified]
        pending = [r for r in sealed if r.problems is None]
        bad = [r for r in sealed if r.problems]
        rehearsal = any(r.rehearsal for r in self.records)
        title = "Rehearsal complete" if rehearsal else "Ceremony complete"
        if len(self.records) > 1:
            title += f": {len(self.records)} ceremonies"
        self.query_one("#summary-banner", Static).update(Content.assemble((title, "bold")))
        if bad:
            verdict = (
                f"✗ {len(bad)} bundle(s) do NOT verify: do not use them. See below.",
                "$error bold",
            )
        elif pending:
            verdict = (f"Verifying {len(pending)} bundle(s) as a strict client would…", "$warning")
        else:
            verdict = (
                f"✓ {len(verified)} bundle(s) written and verified: every check holds.",
                "$success bold",
            )
        self.query_one("#summary-verdict", Static).update(Content.assemble(verdict))
        for n, record in enumerate(self.records):
            self.query_one(f"#record-{n}", Static).update(record_text(record))

    def action_home(self) -> None:
        self.app.go_home()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_keys(self) -> None:
        from ceremony.tui.screens.keys import KeysScreen

        self.app.push_screen(KeysScreen(self.records))


def record_text(record: CeremonyRecord) -> Content:
    kind = KIND_NAMES.get(record.kind, record.kind)
    mark = " (REHEARSAL)" if record.rehearsal else ""
    parts: list[TextPart] = [(f"{kind}{mark}: ", "bold"), (record.title + "\n", "bold")]
    if record.sealed is None:
        parts.append(("  Not sealed: the ceremony stopped.\n", "$error"))
        return Content.assemble(*parts)
    parts += [("  Bundle      ", "$text-muted"), record.sealed.output + "\n"]
    parts.append(("  Verified    ", "$text-muted"))
    if record.problems is None:
        parts.append(("checking…\n", "$warning"))
    elif not record.problems:
        parts.append(("✓ every check holds\n", "$success"))
    else:
        parts.append((f"✗ {len(record.problems)} problem(s)\n", "$error bold"))
        parts += [(f"      {p}\n", "$error") for p in record.problems[:8]]
    summary = record.summary
    if "root_version" in summary:
        parts += [
            ("  Root        ", "$text-muted"),
            f"version {summary['root_version']}, expires {summary['root_expires']}\n",
        ]
        for role, facts in summary.get("roles", {}).items():
            parts += [
                (f"    {role:<10}", "$text-muted"),
                f"{facts['threshold']} of {len(facts['keys'])}: {', '.join(facts['keys'])}\n",
            ]
    if record.thresholds:
        names = {
            "old": "current root",
            "new": "new root" if record.kind == "rotate-root" else "root",
        }
        counted = [
            f"{names.get(group, group)} {have} of {need}"
            for group, (have, need) in record.thresholds.items()
        ]
        parts += [("  Signatures  ", "$text-muted"), "; ".join(counted) + "\n"]
    if "targets_version" in summary:
        parts += [
            ("  Targets     ", "$text-muted"),
            f"version {summary['targets_version']}, expires {summary['targets_expires']}\n",
        ]
    if summary.get("delegations"):
        parts += [("  Delegates   ", "$text-muted"), ", ".join(summary["delegations"]) + "\n"]
    made = [k for k in record.keys if k.how in ("made", "imported")]
    if made:
        parts.append(("  Keys        ", "$text-muted"))
        for i, key in enumerate(made):
            pad = "" if i == 0 else "              "
            holder = f", {key.holder}" if key.holder else ""
            parts.append(f"{pad}{key.name} {key.keyid[:8]} ({key.how}, {key.algorithm}{holder})\n")
    for warning in record.warnings:
        parts.append((f"  Warning     {warning}\n", "$warning"))
    parts += [("  Ceremony    ", "$text-muted"), record.ceremony_id]
    return Content.assemble(*parts)
