"""The evidence pack: one folder an auditor takes away from a ceremony.

``ceremony evidence BUNDLE -o DIR`` reads the bundle once and judges it as
``verify`` would (as of the ceremony's end); a bundle that does not verify
gets no pack. DIR holds the run sheet remade from the script the bundle
carries (ceremony.yaml, the script as reviewed), the ceremony record, the
transcript, the manifest, the script, token attestations found in the
transcript (YubiKey slot certificates and their chains), the verification
result, and INDEX.txt: every file with its sha256 and what it is, and which
of the CA/Browser Forum Baseline Requirements §6.1.1.1 each serves. The
folder appears whole or not at all: it is filled under a temporary name and
renamed into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ceremony.bundle.files import (
    fsync_dir,
    partial_path,
    remove_overwriting,
    rename_no_replace,
    write_new,
)
from ceremony.describe import grouped
from ceremony.errors import CeremonyError, MediaError
from ceremony.records.files import outside, write_document
from ceremony.records.record import Line, record_of, verified_bundle
from ceremony.records.runsheet import runsheet_document
from ceremony.script.load import load_script_text
from ceremony.verify.limits import MANIFEST, TRANSCRIPT
from ceremony.verify.report import VerificationReport

SCRIPT = "ceremony.yaml"

#: CA/B Forum BR §6.1.1.1, in its order: (short name, the requirement in brief)
REQUIREMENTS = (
    ("script", "prepare and follow a Key Generation Script"),
    ("witness", "a Qualified Auditor witnesses the key pair generation, or it is filmed whole"),
    ("auditor-report", "a Qualified Auditor reports that the key ceremony was followed and "
     "the key pair's integrity and confidentiality were controlled"),
    ("secure-environment", "the keys are generated in a physically secured environment"),
    ("multi-person", "trusted roles, multiple person control and split knowledge"),
    ("crypto-module", "the keys are generated within cryptographic modules as the CP/CPS says"),
    ("logging", "the CA logs its key generation activities"),
    ("controls", "effective controls that the private key was generated and protected as the "
     "CP/CPS and the Key Generation Script say"),
)


@dataclass(frozen=True)
class Item:
    name: str  # the file's name in the pack
    what: str
    serves: tuple[str, ...]  # short names from REQUIREMENTS


def write_evidence(bundle: Path, folder: Path, paper: str = "a4") -> list[Item]:
    """Make the pack of ``bundle`` at ``folder`` (which must not exist)."""
    folder = folder.absolute()
    if os.path.lexists(folder):
        raise MediaError(f"{folder} already exists", todo="name a new folder, or move that one")
    if not folder.parent.is_dir():
        raise MediaError(f"{folder.parent} is not a folder", todo="create it first")
    outside(folder, bundle)
    report, lines = verified_bundle(bundle)
    staging = partial_path(folder)
    try:
        staging.mkdir(mode=0o755)
        items = _fill(staging, bundle, report, lines, paper)
        write_new(staging / "INDEX.txt", index_text(staging, items, bundle, report).encode())
        fsync_dir(staging)
        rename_no_replace(staging, folder)
        fsync_dir(folder.parent)
    except OSError as error:
        raise MediaError(f"cannot write the evidence pack {folder}: {error.strerror or error}",
                         todo="check the folder is writable and has room; nothing was left"
                         ) from None
    finally:
        if staging.exists():
            with contextlib.suppress(OSError):
                remove_overwriting(staging)
    return items


def _fill(staging: Path, bundle: Path, report: VerificationReport, lines: list[Line],
          paper: str) -> list[Item]:
    contents = report.contents
    assert contents is not None  # a bundle that verified was read
    events = [line for line in lines if "event" in line]
    items: list[Item] = []
    script = contents.content(SCRIPT)
    if script is not None:
        write_new(staging / SCRIPT, script)
        items.append(Item(SCRIPT, "the ceremony script as reviewed and run (the Key "
                          "Generation Script)", ("script", "controls")))
        runsheet = _runsheet(staging, bundle, script, events, paper)
        if runsheet:
            items.append(runsheet)
    write_document(record_of(bundle, report, lines), staging / "record.pdf", paper)
    items.append(Item("record.pdf", "the ceremony record printed from the transcript, with "
                      "the tokens used and where each key was made, its exceptions and a "
                      "sign-off page for every participant (record.txt: "
                      "its text)", ("witness", "multi-person", "logging", "auditor-report",
                                  "crypto-module")))
    for name, what, serves in (
        (TRANSCRIPT, "the hash-chained transcript of every event of the ceremony (its "
         "preflight lines: the air gap and the media checked)",
         ("logging", "controls", "auditor-report", "secure-environment")),
        (MANIFEST, "the bundle's manifest: every file's sha256 and the transcript head",
         ("logging", "controls")),
    ):
        data = contents.content(name)
        if data is not None:
            write_new(staging / name, data)
            items.append(Item(name, what, serves))
    write_new(staging / "verify.txt", verify_text(bundle, report).encode())
    items.append(Item("verify.txt", "`ceremony verify`'s result for the bundle",
                      ("controls", "auditor-report")))
    items += _attestations(staging, events)
    return items


def _runsheet(staging: Path, bundle: Path, script: bytes, events: list[Line],
              paper: str) -> Item | None:
    """The run sheet remade from the script in the bundle, as of the ceremony's start."""
    started = next((e for e in events if e["event"] == "ceremony-started"), {})
    try:
        now = datetime.fromisoformat(str(started.get("time", "")).replace("Z", "+00:00"))
    except ValueError:
        now = datetime.now(UTC)
    try:
        plan = load_script_text(script.decode(), path=bundle.absolute().parent / SCRIPT,
                                now=now)
    except (CeremonyError, UnicodeDecodeError):
        return None  # the script names files not beside the bundle: INDEX.txt says so
    digest = str(started.get("software_digest") or "")
    write_document(runsheet_document(plan, digest), staging / "runsheet.pdf", paper)
    return Item("runsheet.pdf", "the run sheet remade from that script: every step in order "
                "with Initial and Time boxes, the roles and the sign-off (runsheet.txt: its "
                "text)", ("script", "multi-person", "witness"))


def _attestations(staging: Path, events: list[Line]) -> list[Item]:
    items: list[Item] = []
    for event in events:
        facts = event.get("facts") or {}
        if event["event"] != "key-generated" or not isinstance(facts, dict):
            continue
        certificate = facts.get("attestation_certificate")
        if not certificate:
            continue
        (staging / "attestations").mkdir(exist_ok=True)
        chain = [str(certificate)] + [str(pem) for pem in facts.get("attestation_intermediates")
                                      or []]
        name = f"attestations/{event['key']}.pem"
        write_new(staging / name, "".join(pem if pem.endswith("\n") else pem + "\n"
                                          for pem in chain).encode())
        facts_name = f"attestations/{event['key']}.json"
        kept = {k: v for k, v in facts.items() if str(k).startswith("attestation")}
        write_new(staging / facts_name, (json.dumps(kept, indent=2, sort_keys=True) + "\n")
                  .encode())
        items.append(Item(name, f"the token's attestation that key {event['key']} was made "
                          "on it (slot certificate, then intermediates)", ("crypto-module",)))
        items.append(Item(facts_name, "that attestation's chain as the ceremony checked it",
                          ("crypto-module",)))
    return items


def verify_text(bundle: Path, report: VerificationReport) -> str:
    contents = report.contents
    manifest = contents.files.get(MANIFEST) if contents else None
    lines = [
        f"ceremony verify {bundle}",
        f"checked as of {report.checked_at} (the ceremony's end): every check holds",
        f"ceremony {report.ceremony_id}: {report.ceremony} ({report.flavor})"
        + (", REHEARSAL" if report.rehearsal else ""),
        f"files checked: {report.files_checked}",
    ]
    if report.root_versions:
        lines.append(f"root versions: {', '.join(map(str, report.root_versions))}; newest "
                     f"expires {report.root_expires}")
    if report.transcript_head:
        lines.append(f"transcript head {grouped(report.transcript_head)} "
                     f"({report.transcript_lines} lines)")
    if manifest is not None and manifest.sha256:
        lines.append(f"manifest sha256 {grouped(manifest.sha256)}")
    return "\n".join(lines) + "\n"


def index_text(staging: Path, items: list[Item], bundle: Path,
               report: VerificationReport) -> str:
    lines = [
        f"EVIDENCE PACK - ceremony {report.ceremony_id}",
        f"bundle {bundle}; made {datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "",
        "FILES (sha256, name, what it is)",
    ]
    for item in items:
        digest = hashlib.sha256((staging / item.name).read_bytes()).hexdigest()
        lines.append(f"{digest}  {item.name}")
        lines.append(f"    {item.what}")
    if not any(item.name == "runsheet.pdf" for item in items):
        lines.append("(no run sheet: the script in the bundle names files that are not "
                     "beside it; print it with `ceremony runsheet` from the script's folder)")
    lines += ["", "CA/BROWSER FORUM BASELINE REQUIREMENTS 6.1.1.1 (CA key pair generation)"]
    for short_name, requirement in REQUIREMENTS:
        serving = [item.name for item in items if short_name in item.serves]
        lines.append(f"- {requirement}:")
        lines.append(f"    {', '.join(serving) if serving else 'nothing in this pack'}"
                     + OUTSIDE.get(short_name, ""))
    return "\n".join(lines) + "\n"


#: what each requirement needs beyond this pack
OUTSIDE = {
    "witness": "; the signed record and the auditor's presence or the video",
    "auditor-report": "; the auditor writes the report itself",
    "secure-environment": "; the room's own access records and the run sheet's signed "
    "first step",
    "crypto-module": "; the token's certification (FIPS 140 / Common Criteria) as the "
    "CP/CPS names it",
}
