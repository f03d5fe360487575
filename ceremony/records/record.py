"""The ceremony record: printed after a ceremony from its sealed bundle.

The bundle is read once (as hostile media, ceremony/verify/loader.py) and
judged as ``ceremony verify`` would, as of the time the ceremony finished (so
a record printed after the timestamp expired still prints): a bundle that
does not verify gets no record. From its transcript: the times, every step,
the keys made or brought in (short ids and algorithms), the signatures and
thresholds met, the media written and read back, the custody shares handed
out (to whom, never what), warnings, the exceptions the witness recorded;
then the transcript head and manifest sha256, grouped and as QR codes, for
comparison with the handwritten record; then the sign-off page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ceremony.bundle.destruction_record import read_destruction_record
from ceremony.describe import grouped, on_token, short
from ceremony.errors import BundleError
from ceremony.flavor import flavor_named
from ceremony.records.destruction import destruction_blocks
from ceremony.records.document import (
    Digest,
    Document,
    ExceptionRows,
    Facts,
    Heading,
    Lines,
)
from ceremony.records.roles import name_lines, sign_off
from ceremony.verify import judge_bundle
from ceremony.verify.limits import MANIFEST, TRANSCRIPT
from ceremony.verify.loader import read_bundle
from ceremony.verify.report import VerificationReport

Line = dict[str, Any]
SHOWN_PROBLEMS = 3


def transcript_lines(data: bytes | None) -> list[Line]:
    """The transcript's lines as objects; none when it cannot be read (verify says why)."""
    if data is None:
        return []
    try:
        lines = [json.loads(line) for line in data.decode().splitlines() if line]
    except (UnicodeDecodeError, json.JSONDecodeError):
        return []
    return [line for line in lines if isinstance(line, dict)]


def _moment(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def verified_bundle(path: Path) -> tuple[VerificationReport, list[Line]]:
    """The bundle at ``path`` judged as of its ceremony's end, and its transcript."""
    contents = read_bundle(path)
    lines = transcript_lines(contents.content(TRANSCRIPT))
    ended = _moment(lines[-1].get("time")) if lines else None
    report = judge_bundle(contents, ended or datetime.now(UTC), bundle=str(path))
    if not report.ok:
        shown = "; ".join(str(problem) for problem in report.problems[:SHOWN_PROBLEMS])
        raise BundleError(
            f"{path} does not verify ({len(report.problems)} problem(s): {shown})",
            todo=f"run `ceremony verify {path}` to see every problem; a record is printed "
            "only for a bundle that verifies",
        )
    return report, lines


def record_document(path: Path) -> Document:
    return record_of(path, *verified_bundle(path))


def record_of(path: Path, report: VerificationReport, lines: list[Line]) -> Document:
    """The record of the bundle at ``path``, already read and judged."""
    events = [line for line in lines if "event" in line]
    started = next((e for e in events if e["event"] == "ceremony-started"), {})
    manifest = report.contents.files.get(MANIFEST) if report.contents else None
    flavor = flavor_named(str(started.get("flavor") or report.flavor))
    rehearsal = " - REHEARSAL, practice only" if report.rehearsal else ""
    title = str(started.get("title", report.ceremony_id))
    document = Document(
        title=f"Ceremony record: {title}",
        subtitle=f"{started.get('kind')} ({flavor.title}){rehearsal}. Printed from the sealed "
        "bundle's transcript; compare it with the run sheet and the handwritten record, then "
        "sign.",
    )
    document.add(Facts((
        ("Ceremony id", str(report.ceremony_id)),
        ("Started", str(started.get("time", ""))),
        ("Finished", str(events[-1].get("time", "")) if events else ""),
        ("Tool", f"ceremony {started.get('tool_version', '')}"),
        ("Bundle", str(path)),
        ("Verified", f"every check holds as of {report.checked_at} "
                     f"({report.files_checked} files)"),
    )))
    digests = (
        ("Transcript head (read aloud at the end)", report.transcript_head),
        ("Manifest sha256 (MANIFEST.json)", manifest.sha256 if manifest else None),
        ("Script sha256", started.get("script_sha256")),
        ("Software digest", started.get("software_digest")),
    )
    document.add(*(Digest(label, str(value)) for label, value in digests if value))
    document.add(Heading("Steps", new_page=True), Lines(tuple(step_lines(events))))
    for heading, found in (
        ("Tokens", [f"{e['token']}: {e['manufacturer']} {e['model']}, firmware "
                    f"{e['firmware']}, serial {e['serial']}"
                    for e in of(events, "token-logged-in")]),
        ("Keys", key_lines(events)),
        ("Signatures and thresholds", signature_lines(events)),
        ("Media written and read back", media_lines(events)),
        ("Custody", custody_lines(events)),
        ("Tamper-evident bags", bag_lines(events)),
        ("Warnings", [f"{e['time']}  {e['message']}" for e in of(events, "warning")]),
    ):
        if found:
            document.add(Heading(heading), Lines(tuple(found)))
    keyholders = [str(e.get("holder") or "") for e in of(events, "key-generated")]
    custodians = [str(e.get("custodian") or "") for e in of(events, "share-handed-out")]
    document.add(Heading("Roles"), *name_lines(keyholders, custodians))
    destruction = (read_destruction_record(path, report.transcript_head or "")
                   if of(events, "key-to-destroy") else None)
    document.add(*destruction_blocks(events, destruction))  # a decommission's certificate
    document.add(
        Heading("Exceptions", new_page=True),
        ExceptionRows(tuple(exception_rows(events))),
        Heading("Sign-off", new_page=True),
        sign_off(keyholders, custodians),
    )
    return document


def of(events: Iterable[Line], *names: str) -> list[Line]:
    return [event for event in events if event.get("event") in names]


def exception_rows(events: Iterable[Line]) -> list[tuple[str, str, str, str]]:
    return [(str(e.get("at") or e.get("time", "")), str(e.get("what", "")),
             str(e.get("why", "")), str(e.get("witness", "")))
            for e in of(events, "witness-exception")]


def step_lines(events: list[Line]) -> list[str]:
    titles: dict[str, str] = {}
    lines: list[str] = []
    for event in of(events, "step-started", "step-finished", "step-failed"):
        step = str(event.get("step"))
        if event["event"] == "step-started":
            titles[step] = str(event.get("title", step))
            lines.append(f"{event['time']}  {len(titles)}. {titles[step]}: started")
        elif event["event"] == "step-finished":
            lines.append(f"{event['time']}     {titles.get(step, step)}: done")
        else:
            lines.append(f"{event['time']}     {titles.get(step, step)}: FAILED "
                         f"{event.get('error', '')}")
    return lines


def key_lines(events: list[Line]) -> list[str]:
    lines: list[str] = []
    for e in events:
        keyid = str(e.get("keyid", ""))
        match e["event"]:
            case "key-generated":
                holder = f", held by {e['holder']}" if e.get("holder") else ""
                facts = e.get("facts") if isinstance(e.get("facts"), dict) else {}
                lines.append(f"{e['key']}: made, {e['algorithm']} ({e['backend']}){holder}, "
                             f"id {short(keyid)}")
                home = on_token(facts or {}).splitlines()  # which token, CKA_ID, origin
                lines += ["  " + line.strip() for line in home if line]
            case "key-imported":
                lines.append(f"{e['key']}: imported, {e['algorithm']}, id {short(keyid)}")
            case "key-recovered":
                lines.append(f"{e['key']}: recovered from custody, id {short(keyid)}")
            case "key-backed-up" | "key-rehomed":
                lines.append(f"{e['key']}: copied to token {e['token']} (serial {e['serial']}), "
                             f"id {short(keyid)}")
            case "key-destroyed" if e.get("token"):
                lines.append(f"{e['key']}: destroyed on {e['token']}, id {short(keyid)}")
            case "key-destroyed" if e.get("proof"):
                lines.append(f"{e['key']}: destroyed (its stored key file left out), "
                             f"id {short(keyid)}")
    return lines


def signature_lines(events: list[Line]) -> list[str]:
    lines: list[str] = []
    for e in of(events, "metadata-built", "signature-added", "threshold-progress"):
        match e["event"]:
            case "metadata-built":
                lines.append(f"{e['role']} version {e['version']} built, expires {e['expires']}")
            case "signature-added":
                lines.append(f"  signed by {e['key']} (id {short(str(e['keyid']))})")
            case _ if int(e["have"]) == int(e["need"]):
                lines.append(f"  {e['group']} {e['role']} threshold met: {e['have']} of "
                             f"{e['need']}")
    return lines


def media_lines(events: list[Line]) -> list[str]:
    written = of(events, "file-written")
    lines = [f"{len(written)} files written into the bundle, "
             f"{sum(int(e.get('size', 0)) for e in written)} bytes; each listed with its "
             "sha256 in MANIFEST.json"] if written else []
    for e in of(events, "custody-sealed"):
        lines.append(f"custody bundle sha256 {grouped(str(e['bundle_sha256']))}")
        lines += [f"  copy written and read back: {copy}" for copy in e.get("copies", [])]
    for e in of(events, "restore-tested"):
        lines.append(f"test restore from shares {', '.join(map(str, e['shares_used']))}: "
                     f"{len(e.get('keys_matched', []))} keys matched")
    for e in of(events, "share-sheets-written"):
        lines.append(f"{len(e.get('sheets', []))} share sheets written to {e['folder']}")
    return lines


def bag_lines(events: list[Line]) -> list[str]:
    """Every bag checked before it was opened and every bag sealed, with its serial."""
    lines: list[str] = []
    for e in of(events, "bag-checked", "bag-sealed"):
        if e["event"] == "bag-sealed":
            lines.append(f"{e['time']}  bag {e['bag']} sealed, serial {e['serial']}: "
                         f"holds {e['holds']}")
        elif e.get("matches"):
            lines.append(f"{e['time']}  bag {e['bag']} brought in, serial {e['serial']} as "
                         f"sealed by ceremony {e['sealed_by']} ({e['holds']})")
        else:
            lines.append(f"{e['time']}  bag {e['bag']} brought in with serial {e['serial']}: "
                         f"DIFFERS from serial {e['recorded']} recorded by ceremony "
                         f"{e['sealed_by']} ({e['holds']}); see the exceptions")
    return lines


def custody_lines(events: list[Line]) -> list[str]:
    lines: list[str] = []
    for e in of(events, "custody-sealed", "share-handed-out", "share-accepted",
                "shares-retired", "custody-opened"):
        match e["event"]:
            case "custody-sealed":
                set_id = f", share set id {e['set_id']}" if e.get("set_id") is not None else ""
                lines.append(f"custody {e['custody_id']}: {e['scheme']}{set_id}; keys "
                             f"{', '.join(e.get('keys', []))}")
            case "share-handed-out":
                who = f" to {e['custodian']}" if e.get("custodian") else ""
                how = "checksum words read back" if e.get("read_back") else "NOT read back"
                lines.append(f"{e['time']}  share {e['number']} of {e['total']} handed out"
                             f"{who} ({how})")
            case "share-accepted":
                lines.append(f"{e['time']}  share {e['number']} accepted ({e['progress']})")
            case "custody-opened":
                lines.append(f"custody {e['custody_id']} opened from {e['copy']}")
            case _:
                lines.append(f"shares of custody {e['custody_id']} retired: {e['reason']}")
    return lines
