"""The end of a ceremony: what was made, checked, and read aloud.

For each ceremony: the bundle, whether ``verify_bundle`` finds it sound (run
here in a worker unless the stream already verified it, as a rehearsal
does), root and targets versions and expiries, the keys, and the transcript
head in groups of four to read aloud and write on the paper record.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from ceremony.tui.record import KIND_NAMES, CeremonyRecord
from ceremony.tui.widgets import keyid_lines, meter_line

if TYPE_CHECKING:
    from ceremony.tui.shell import CeremonyShell
    from ceremony.tui.widgets import TextPart


class SummaryScreen(Screen[None]):
    app: CeremonyShell  # shown only by the ceremony app: its type, for the checker

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
                yield Static("", id=f"record-{n}-top", classes="record")
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
                yield Static("", id=f"record-{n}", classes="record-rest")
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
        stopped = len(sealed) < len(self.records)
        signed = [r for r in self.records if r.sittings and r.sealed is None]
        title = "Rehearsal" if rehearsal else "Ceremony"
        title += " stopped: not everything was sealed" if stopped else " complete"
        if signed and len(signed) == len(self.records):
            title = "Signing sitting complete" + (" (REHEARSAL)" if rehearsal else "")
        if len(self.records) > 1:
            title += f" ({len(sealed)} of {len(self.records)} ceremonies sealed)"
        self.query_one("#summary-banner", Static).update(Content.assemble((title, "bold")))
        if signed and len(signed) == len(self.records):
            verdict = ("✓ Signature file written: carry it to the sealing sitting.",
                       "$text-success bold")
        elif not sealed:
            verdict = ("✗ No bundle was written: the ceremony stopped. See below.",
                       "$text-error bold")
        elif bad:
            verdict = (
                f"✗ {len(bad)} bundle(s) do NOT verify: do not use them. See below.",
                "$text-error bold",
            )
        elif pending:
            verdict = (
                f"Verifying {len(pending)} bundle(s) as a strict client would…", "$text-warning"
            )
        else:
            verdict = (
                f"✓ {len(verified)} bundle(s) written and verified: every check holds.",
                "$text-success bold",
            )
        self.query_one("#summary-verdict", Static).update(Content.assemble(verdict))
        for n, record in enumerate(self.records):
            top, rest = record_text(record)
            self.query_one(f"#record-{n}-top", Static).update(top)
            self.query_one(f"#record-{n}", Static).update(rest)

    def action_home(self) -> None:
        self.app.go_home()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_keys(self) -> None:
        from ceremony.tui.screens.keys import KeysScreen

        self.app.push_screen(KeysScreen(self.records))


ROLE_ORDER = ("root", "targets", "snapshot", "timestamp")
INDENT = "              "


def record_text(record: CeremonyRecord) -> tuple[Content, Content]:
    """Everything one ceremony made, in two parts with the transcript head
    between them (so it is on the first screen): first the bundle and its
    verdict; then roles (root, targets, snapshot, timestamp, then the rest
    by name), the meters as they ended, keys and where they live, custody,
    media, warnings."""
    kind = KIND_NAMES.get(record.kind, record.kind)
    mark = " (REHEARSAL)" if record.rehearsal else ""
    parts: list[TextPart] = [(f"{kind}{mark}: ", "bold"), (record.title + "\n", "bold")]
    if record.sealed is None and record.sittings and record.failed is None:
        return Content.assemble(*parts, *sitting_lines(record)).rstrip(), Content("")
    if record.sealed is None:
        why = f": {record.failed.error}" if record.failed else ""
        if record.steps_done:
            parts.append((f"  Not sealed: every step ran, then writing the bundle failed{why}. "
                          "Nothing was written.\n", "$text-error"))
        else:
            parts.append((f"  Not sealed: the ceremony stopped{why}.\n", "$text-error"))
        return Content.assemble(*parts), Content("")
    parts += [("  Bundle      ", "$text-muted"), record.sealed.output + "\n"]
    parts.append(("  Verified    ", "$text-muted"))
    if record.problems is None:
        parts.append(("checking…\n", "$text-warning"))
    elif not record.problems:
        parts.append(("✓ every check holds\n", "$text-success"))
    else:
        parts.append((f"✗ {len(record.problems)} problem(s)\n", "$text-error bold"))
        parts += [(f"      {p}\n", "$text-error") for p in record.problems[:8]]
    top = Content.assemble(*parts).rstrip()
    parts = []
    summary = record.summary
    if "root_version" in summary:
        parts += [
            ("  Root        ", "$text-muted"),
            f"version {summary['root_version']}, expires {summary['root_expires']}\n",
        ]
        parts += role_lines(summary.get("roles", {}), record.signatures)
    if "targets_version" in summary:
        parts += [
            ("  Targets     ", "$text-muted"),
            f"version {summary['targets_version']}, expires {summary['targets_expires']}\n",
        ]
    if summary.get("delegations"):
        parts += [("  Delegates   ", "$text-muted"), ", ".join(summary["delegations"]) + "\n"]
    if record.thresholds:
        parts.append(("  Signatures\n", "$text-muted"))
        for group, (have, need) in record.thresholds.items():
            label = record.meter_labels.get(group, group)
            parts += ["    ", meter_line(label, have, need), "\n"]
    made = [k for k in record.keys if k.how in ("made", "imported")]
    if made:
        parts.append(("  Keys        ", "$text-muted"))
        for i, key in enumerate(made):
            pad = "" if i == 0 else INDENT
            holder = f", {key.holder}" if key.holder else ""
            parts.append(f"{pad}{key.name} {key.keyid[:8]} ({key.how}, {key.algorithm}{holder})\n")
            if key.where:
                parts.append((f"{INDENT}  {key.where}\n", "$text-muted"))
    parts += custody_lines(record)
    parts += media_lines(record)
    for warning in record.warnings:
        parts.append((f"  Warning     {warning}\n", "$text-warning"))
    parts += [("  Ceremony    ", "$text-muted"), record.ceremony_id]
    return top, Content.assemble(*parts)


def sitting_lines(record: CeremonyRecord) -> list[TextPart]:
    """What a signing sitting wrote, and with which keys."""
    parts: list[TextPart] = []
    for sitting in record.sittings:
        parts += [("  Signature   ", "$text-muted"), (sitting.wrote + "\n", "bold"),
                  ("  Sitting     ", "$text-muted"), sitting.sitting + "\n"]
    for i, key in enumerate(record.keys):
        parts += [("  Signed with " if i == 0 else INDENT, "$text-muted"),
                  f"{key.name} {key.keyid[:8]}" + (f" ({key.where})" if key.where else "") + "\n"]
    if record.files_written > 1:
        parts += [(INDENT, ""), (f"{record.files_written - 1} QR code image(s) beside it\n",
                                 "$text-muted")]
    parts.append(("  It holds nothing secret: carry it to the sealing sitting.\n",
                  "$text-muted"))
    return parts


def role_lines(roles: dict[str, dict[str, Any]], signatures: dict[str, int]) -> list[TextPart]:
    """Each role in a fixed order: "threshold N, M signatures", then its keys."""
    order = [r for r in ROLE_ORDER if r in roles] + sorted(set(roles) - set(ROLE_ORDER))
    parts: list[TextPart] = []
    for role in order:
        facts = roles[role]
        signed = signatures.get(role, 0)
        counted = f"{signed} signature{'s' if signed != 1 else ''}" if signed else "not signed here"
        parts += [
            (f"    {role:<10}", "$text-muted"),
            (f"threshold {facts['threshold']}, {counted}", "bold"),
            f": {', '.join(facts['keys'])}\n",
        ]
    return parts


def custody_lines(record: CeremonyRecord) -> list[TextPart]:
    """Copies written and verified, shares handed out and to whom, the test restore."""
    sealed = record.custody
    if sealed is None:
        return []
    parts: list[TextPart] = [
        ("  Custody     ", "$text-muted"),
        f"{', '.join(sealed.keys)} sealed, {sealed.scheme}",
        f" (set id {sealed.set_id})\n" if sealed.set_id is not None else "\n",
    ]
    checked = set(record.restore.copies_checked) if record.restore else set()
    for copy in sealed.copies:
        verdict = "written, read back, opened by the test restore" if copy in checked else (
            "written, read back")
        parts += [(f"{INDENT}copy ", "$text-muted"), f"{copy}: {verdict}\n"]
    for given in record.handed_out:
        how = "read back" if given.read_back else "NOT read back"
        how += f", witness {given.witness}" if given.witness else ""
        parts += [
            (f"{INDENT}share ", "$text-muted"),
            f"{given.number} of {given.total} to {given.custodian or '(not named)'} ({how})\n",
        ]
    if record.restore is not None:
        used = ", ".join(map(str, record.restore.shares_used)) or "the passphrase"
        parts += [
            (f"{INDENT}restore ", "$text-muted"),
            (f"✓ shares {used} opened it; every key matched\n", "$text-success"),
        ]
    elif sealed.copies:
        parts.append((f"{INDENT}restore not tested in this ceremony\n", "$text-warning"))
    return parts


def media_lines(record: CeremonyRecord) -> list[TextPart]:
    """Where everything went: the bundle, custody copies, share sheets."""
    places: list[tuple[str, str]] = []
    if record.sealed is not None:
        places.append(("bundle", record.sealed.output))
    if record.custody is not None:
        places += [("custody copy", copy) for copy in record.custody.copies]
    if record.sheets is not None:
        places.append((f"{len(record.sheets.sheets)} share sheets", record.sheets.folder))
    parts: list[TextPart] = []
    for i, (what, where) in enumerate(places):
        parts += [("  Media       " if i == 0 else INDENT, "$text-muted"), f"{what}: {where}\n"]
    if record.files_written:
        parts += [(INDENT, ""), (f"{record.files_written} files written\n", "$text-muted")]
    return parts
