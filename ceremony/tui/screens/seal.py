"""Seal signatures from several sittings: the sealing sitting.

The coordinator gives the request folder, the current bundle it extends,
the signature files (one path at a time: a file, a folder of them, or the
images of a file's QR codes) and where the bundle goes. Each path is read
and counted by the core as it is added (ceremony/sittings/seal.py): a
refused one is shown with its reason and counts nothing; the two threshold
meters fill as the run screen draws them. Ctrl+R seals through the run
screen with the paths counted; the summary then verifies the bundle as any
other.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Static

from ceremony.tui.paths import typed_path
from ceremony.tui.screens.sitting import SittingScreen, ok, refused, said
from ceremony.tui.widgets import meter_line

if TYPE_CHECKING:
    from ceremony.sittings.request_file import SigningRequest
    from ceremony.sittings.seal import Source, Tally
    from ceremony.tui.widgets import TextPart


class SealScreen(SittingScreen):
    TITLE_TEXT = "Seal signatures from several sittings"
    RUN = ("Seal", "Sealing", "Seal the bundle once both meters are met")

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[Path] = []  # every path given, in order
        self.counted: list[Path] = []  # the paths whose files all counted
        self.typed: dict[Path, str] = {}  # each path as it was typed, to show it so

    INTRO = ("Enter reads the request, checks the current bundle, and adds the path typed in "
             "Signatures (a file, a folder of them, or QR code images): each is counted as it "
             "comes. Ctrl+R seals once both meters are met.")
    FIELDS = (
        ("Signatures", "seal-signatures", "/media/…/alice.sig.json, Enter adds"),
        ("Bundle to", "seal-output", "/media/…/2027-q2 (a new folder)"),
    )

    def results(self) -> ComposeResult:
        yield Static("", id="seal-meters")
        yield Static("", id="seal-files")

    def action_check(self) -> None:
        if self.holding_keys:
            return
        entry = self.query_one("#seal-signatures", Input)
        if entry.value.strip():
            path = typed_path(entry.value, self.app.workdir)
            self.sources.append(path)
            self.typed[path] = entry.value.strip()
            entry.value = ""
        super().action_check()

    def check_more(self, request: SigningRequest) -> object:
        from ceremony.sittings.seal import count_sources

        return count_sources(request, self.sources)

    def show_more(self, more: object) -> str:
        from ceremony.tui.record import meter_label

        tally, sources = cast("tuple[Tally, list[Source]]", more)  # check_more's
        self.counted = [s.path for s in sources if s.refusal is None]
        meters = [meter_line(meter_label(m), m.have, m.need) for m in tally.meters()]
        self.query_one("#seal-meters", Static).update(Content("\n").join(meters))
        self.query_one("#seal-files", Static).update(files_text(tally, sources, self.typed))
        if not self.sources:
            return "no signature file given yet"
        return tally.missing()

    def start(self) -> None:
        from ceremony.sittings.seal import seal_output_problem
        from ceremony.tui.sittings import sealing_source

        request, folder, current = self.request, self.folder, self.current
        assert request is not None and folder is not None and current is not None  # ready
        text = self.value("seal-output")
        if not text:
            self.problem("Say where the bundle goes (Bundle to): a new folder.")
            return
        output = typed_path(text, self.app.workdir)
        problem = seal_output_problem(output)
        if problem:
            self.problem(f"{problem}.")
            return
        self.run_sitting(
            sealing_source(request, folder, self.counted, current=current, output=output,
                           clock=self.app.clock),
            f"Sealing sitting · {request.title}", verify=True,
        )


def files_text(tally: Tally, sources: list[Source], typed: dict[Path, str]) -> Content:
    """Each path given (as typed), counted or refused with its reason; then who
    is missing."""
    parts: list[TextPart] = []
    for source in sources:
        name = typed.get(source.path, str(source.path))
        if source.refusal is None:
            sittings = ", ".join(sorted({sitting for _, sitting in source.files}))
            parts += [ok(f"{name}: counted (signed by {sittings})"), "\n"]
        else:
            parts += [refused(f"{name}: not counted: {said(source.refusal)}"), "\n"]
    missing = tally.missing()
    if missing:
        parts.append((missing.replace("not sealed: ", "Still missing before sealing: ", 1),
                      "$text-warning"))
    elif sources:
        parts.append(("Every threshold is met: Ctrl+R seals the bundle.", "$text-success bold"))
    return Content.assemble(*parts)
