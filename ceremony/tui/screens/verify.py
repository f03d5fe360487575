"""Inspect and verify media: a bundle checked as a strict client would.

``verify_bundle`` runs in a worker (media can be slow); the report lists
every problem, then the facts: kind, versions, expiries, transcript head,
each with any control character from the media shown escaped
(ceremony/safe_text.py).
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

from ceremony.safe_text import terminal_safe
from ceremony.tui.widgets import Entry, keyid_lines

if TYPE_CHECKING:
    from ceremony.tui.shell import CeremonyShell
    from ceremony.tui.widgets import TextPart
    from ceremony.verify.report import VerificationReport


class VerifyScreen(Screen[None]):
    app: CeremonyShell  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding("enter", "check", "Verify", id="verify-check", priority=True),
        Binding("escape", "back", "Back", id="verify-back"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Inspect and verify media", classes="banner")
        with Vertical(classes="page"):
            yield Static("The bundle folder on the media:", classes="label")
            room = self.app.look_around()
            media = room.media + room.read_only  # a bundle to read may be on either
            yield Entry(
                media[0] if media else "", placeholder="/media/…/2026-11-bootstrap",
                id="bundle-path",
            )
            with VerticalScroll(id="verify-report"):
                yield Static("", id="report")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#bundle-path", Input).focus()

    def action_check(self) -> None:
        text = self.query_one("#bundle-path", Input).value.strip()
        report = self.query_one("#report", Static)
        if not text:
            report.update("Type the path of a bundle folder.")
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.app.workdir / path
        report.update(Content.assemble((f"Verifying {path}…", "$text-warning")))
        self.verify(path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="verify")
    def verify(self, path: Path) -> None:
        from ceremony.verify import verify_bundle

        report = verify_bundle(path)
        self.app.call_from_thread(self._show, report)

    def _show(self, report: VerificationReport) -> None:
        self.query_one("#report", Static).update(report_text(report))

    def action_back(self) -> None:
        self.app.pop_screen()


def report_text(report: VerificationReport) -> Content:
    parts: list[TextPart] = []
    if report.ok:
        parts.append((f"✓ {terminal_safe(str(report.bundle))}: every check holds\n\n",
                      "$text-success bold"))
    else:
        parts.append(
            (f"✗ {terminal_safe(str(report.bundle))}: {len(report.problems)} problem(s)\n",
             "$text-error bold")
        )
        parts += [(f"  {terminal_safe(str(problem))}\n", "$text-error")
                  for problem in report.problems]
        parts.append("\n")
    facts = [
        ("Ceremony", f"{report.ceremony or '?'}" + (" (REHEARSAL)" if report.rehearsal else "")),
        ("Id", report.ceremony_id or "?"),
        ("Root", f"versions {', '.join(map(str, report.root_versions)) or 'none'}; "
                 f"expires {report.root_expires or '?'}"),
        ("Targets", f"version {report.targets_version}, expires {report.targets_expires}"
                    if report.targets_version else "none in this bundle"),
        ("Files", f"{report.files_checked} checked against the manifest"),
        ("Checked", f"as of {report.checked_at}"),
    ]
    for label, value in facts:
        parts += [(f"{label:<10}", "$text-muted"), f"{terminal_safe(value)}\n"]
    if report.transcript_head:
        parts.append((
            f"\nTranscript head ({report.transcript_lines} lines), "
            "to compare with the paper record:\n",
            "bold",
        ))
        parts += [
            (f"  {line}\n", "$text-accent bold") for line in keyid_lines(report.transcript_head)
        ]
    return Content.assemble(*parts)
