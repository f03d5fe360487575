"""What the screens remember of a ceremony: built from its events alone.

The run screen feeds every event to :func:`follow`; the summary screen reads
the records back. A rehearsal runs three ceremonies in one stream, so there
is one record per ``CeremonyStarted``. Public facts only, as in the events.
Imports no UI toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

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
    where: str = ""  # where the key lives, in words (a token, a file), or "" when not said


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
    #: each threshold meter's label, by group, as the run screen drew it
    meter_labels: dict[str, str] = field(default_factory=dict)
    #: signatures added to each role's new metadata
    signatures: dict[str, int] = field(default_factory=dict)
    #: tokens logged in, by label (what the key card says of a key on one)
    tokens: dict[str, ev.TokenLoggedIn] = field(default_factory=dict)
    custody: ev.CustodySealed | None = None
    sheets: ev.ShareSheetsWritten | None = None
    handed_out: list[ev.ShareHandedOut] = field(default_factory=list)
    restore: ev.RestoreTested | None = None
    #: every step ran: what is left is writing (sealing) the bundle
    steps_done: bool = False
    files_written: int = 0
    warnings: list[str] = field(default_factory=list)
    #: the flavor's own summary of what was made, JSON-shaped (each flavor says different things)
    summary: dict[str, Any] = field(default_factory=dict)
    output: str | None = None
    sealed: ev.BundleSealed | None = None
    failed: ev.StepFailed | None = None
    abandoned: ev.CeremonyAbandoned | None = None
    #: what a signing sitting wrote (its signature file), as it said
    sittings: list[ev.SittingFinished] = field(default_factory=list)
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
            where = key_home(event.location, record.tokens)
            record.keys.append(
                KeyFact(event.key, event.keyid, "made", event.algorithm, event.holder, where)
            )
        case ev.KeyImported():
            record.keys.append(KeyFact(event.key, event.keyid, "imported", event.algorithm,
                                       where=f"public key only, from {event.source}"))
        case ev.KeyLoaded():
            where = key_home(event.location, record.tokens)
            record.keys.append(KeyFact(event.key, event.keyid, "opened", where=where))
        case ev.TokenLoggedIn():
            record.tokens[event.token] = event
        case ev.SignatureAdded():
            record.signatures[event.role] = record.signatures.get(event.role, 0) + 1
        case ev.CustodySealed():
            record.custody = event
        case ev.ShareSheetsWritten():
            record.sheets = event
        case ev.ShareHandedOut():
            record.handed_out.append(event)
        case ev.RestoreTested():
            record.restore = event
        case ev.KeyRecovered():
            record.keys.append(KeyFact(event.key, event.keyid, "recovered"))
        case ev.MetadataBuilt():
            record.metadata[event.role] = event
        case ev.ThresholdMet():
            record.thresholds[event.group] = (event.have, event.need)
            record.meter_labels[event.group] = meter_label(event)
        case ev.FileWritten():
            record.files_written += 1
        case ev.Warning():
            record.warnings.append(event.message)
        case ev.CeremonyFinished():
            record.steps_done = True
            record.output = event.output
            record.summary = dict(event.summary)
        case ev.BundleSealed():
            record.output = event.output
            record.sealed = event
        case ev.SittingFinished():
            record.sittings.append(event)
        case ev.StepFailed():
            record.failed = event
        case ev.CeremonyAbandoned():
            record.abandoned = event


def key_home(location: str, tokens: dict[str, ev.TokenLoggedIn]) -> str:
    """Where a key lives, in words: the token (label, model, serial) for a
    ``pkcs11:`` URI, filled in from the token's login when the URI is
    short; the file for an ``age-file:``; else the location as given."""
    scheme, _, rest = location.partition(":")
    if scheme == "age-file":
        return f"file {rest} (age-encrypted)"
    if scheme != "pkcs11":
        return location
    attributes = {
        name: unquote(value)
        for name, _, value in (part.partition("=") for part in rest.split("?")[0].split(";"))
    }
    label = attributes.get("token", "")
    seen = tokens.get(label)
    model = attributes.get("model") or (seen.model if seen else "")
    serial = attributes.get("serial") or (seen.serial if seen else "")
    said = ", ".join(x for x in (model, f"serial {serial}" if serial else "") if x)
    return f"token {label or '(unnamed)'}" + (f" ({said})" if said else "")


def meter_label(event: ev.ThresholdMet) -> str:
    """A threshold meter's name: "Current root v1", "New root v2", "Targets v3";
    at a sealing sitting (no version told) "Current root" and "New root"."""
    if event.version <= 0:
        return {"old": "Current root", "new": "New root"}.get(event.group, event.group)
    if event.group == "old":
        return f"Current root v{event.version - 1}"
    if event.group == "new":
        return f"New root v{event.version}" if event.version > 1 else f"Root v{event.version}"
    return f"{event.role.capitalize()} v{event.version}"
