"""What the screens remember of a ceremony: built from its events alone.

The run screen feeds every event to :func:`follow`; the summary screen reads
the records back. A rehearsal runs three ceremonies in one stream, so there
is one record per ``CeremonyStarted``. Public facts only, as in the events.
Imports no UI toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ceremony import events as ev

KIND_NAMES = {
    "bootstrap": "Bootstrap",
    "rotate-root": "Root rotation",
    "delegate": "Delegation",
    "recover": "Recovery",
}


@dataclass
class KeyFact:
    name: str
    keyid: str
    how: str  # made, imported, opened, recovered
    algorithm: str = ""
    holder: str | None = None


@dataclass
class CeremonyRecord:
    ceremony_id: str
    kind: str
    title: str
    rehearsal: bool
    script_sha256: str
    steps: tuple[str, ...] = ()
    keys: list[KeyFact] = field(default_factory=list)
    metadata: dict[str, ev.MetadataBuilt] = field(default_factory=dict)  # by role
    #: signatures counted against each threshold: group (old, new, targets) -> (have, need)
    thresholds: dict[str, tuple[int, int]] = field(default_factory=dict)
    files_written: int = 0
    warnings: list[str] = field(default_factory=list)
    #: the flavor's own summary of what was made, JSON-shaped (each flavor says different things)
    summary: dict[str, Any] = field(default_factory=dict)
    output: str | None = None
    sealed: ev.BundleSealed | None = None
    failed: ev.StepFailed | None = None
    abandoned: ev.CeremonyAbandoned | None = None
    #: problems found by verify_bundle; None until it has run
    problems: tuple[str, ...] | None = None

    @property
    def verified(self) -> bool:
        return self.problems is not None and not self.problems


def follow(records: list[CeremonyRecord], event: ev.Event) -> None:
    """Add what ``event`` says to the newest record (or start one)."""
    if isinstance(event, ev.CeremonyStarted):
        records.append(
            CeremonyRecord(
                ceremony_id=event.ceremony_id,
                kind=event.kind,
                title=event.title,
                rehearsal=event.rehearsal,
                script_sha256=event.script_sha256,
                steps=tuple(event.steps),
            )
        )
        return
    if isinstance(event, ev.BundleVerified):
        for record in records:
            if record.output == event.path:
                record.problems = tuple(event.problems)
        return
    if not records:
        return
    record = records[-1]
    match event:
        case ev.KeyGenerated():
            record.keys.append(
                KeyFact(event.key, event.keyid, "made", event.algorithm, event.holder)
            )
        case ev.KeyImported():
            record.keys.append(KeyFact(event.key, event.keyid, "imported", event.algorithm))
        case ev.KeyLoaded():
            record.keys.append(KeyFact(event.key, event.keyid, "opened"))
        case ev.KeyRecovered():
            record.keys.append(KeyFact(event.key, event.keyid, "recovered"))
        case ev.MetadataBuilt():
            record.metadata[event.role] = event
        case ev.ThresholdMet():
            record.thresholds[event.group] = (event.have, event.need)
        case ev.FileWritten():
            record.files_written += 1
        case ev.Warning():
            record.warnings.append(event.message)
        case ev.CeremonyFinished():
            record.output = event.output
            record.summary = dict(event.summary)
        case ev.BundleSealed():
            record.output = event.output
            record.sealed = event
        case ev.StepFailed():
            record.failed = event
        case ev.CeremonyAbandoned():
            record.abandoned = event
