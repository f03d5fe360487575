"""Events in plain words: one line each, as an operator would say them.

Both front ends use these lines (the headless CLI prints them; the terminal
UI shows them in its log), so a ceremony reads the same either way.
"""

from __future__ import annotations

from ceremony import events as ev


def short(keyid: str) -> str:
    return keyid[:8]


def grouped(hex_text: str, size: int = 4) -> str:
    """A hash in groups for reading aloud: ``3f2a 9c1e 77b0 ...``."""
    return " ".join(hex_text[i : i + size] for i in range(0, len(hex_text), size))


def describe(event: ev.Event) -> str:
    match event:
        case ev.CeremonyStarted():
            mark = " (REHEARSAL)" if event.rehearsal else ""
            return (
                f"Ceremony {event.ceremony_id}: {event.kind} ({event.flavor}){mark}\n"
                f"  {event.title}\n  script sha256 {grouped(event.script_sha256)}"
            )
        case ev.StepStarted():
            lines = [f"== {event.title}"]
            if event.say_aloud:
                lines.append(f"   say aloud: {event.say_aloud}")
            if event.check_by_eye:
                lines.append(f"   check by eye: {event.check_by_eye}")
            return "\n".join(lines)
        case ev.PreflightChecked():
            return f"   [{'ok' if event.ok else 'FAIL'}] {event.check}: {event.detail}"
        case ev.KeyGenerated():
            holder = f" for {event.holder}" if event.holder else ""
            return (
                f"   key {event.key}{holder}: {event.algorithm}, id {short(event.keyid)} "
                f"({event.backend})"
            )
        case ev.KeyImported():
            return f"   key {event.key}: imported {event.algorithm}, id {short(event.keyid)}"
        case ev.KeyLoaded():
            return f"   key {event.key} opened, id {short(event.keyid)}"
        case ev.KeyStored():
            return f"   key {event.key} stored encrypted at {event.path}, read back and opened"
        case ev.KeyDestroyed():
            return f"   key {event.key} closed; its copy in memory is gone"
        case ev.MetadataBuilt():
            return f"   {event.role} version {event.version} built, expires {event.expires}"
        case ev.SignatureAdded():
            return f"   {event.role} v{event.version} signed by {event.key} ({short(event.keyid)})"
        case ev.ThresholdMet():
            mark = "met" if event.have >= event.need else "NOT met"
            return (
                f"   {event.group} {event.role} threshold: {event.have} of {event.need} ({mark})"
            )
        case ev.FileWritten():
            return f"   wrote {event.path} ({event.size} bytes)"
        case ev.OperatorConfirmed():
            return f"   confirmed: {event.question}"
        case ev.Warning():
            return f"   WARNING: {event.message}"
        case ev.StepFailed():
            return f"   FAILED: {event.error}"
        case ev.CeremonyFinished():
            return "Ceremony finished."
        case ev.BundleSealed():
            return (
                f"Bundle sealed at {event.output}\n"
                f"  transcript head {grouped(event.transcript_head)}\n"
                f"  manifest sha256 {grouped(event.manifest_sha256)}\n"
                "  Read the transcript head aloud and write it on the paper record."
            )
        case ev.CeremonyAbandoned():
            where = f"; transcript of the attempt: {event.transcript}" if event.transcript else ""
            return f"Ceremony stopped, nothing sealed{where}"
        case ev.BundleVerified():
            if event.ok:
                return f"Verified {event.path}: every check holds."
            return f"Verification of {event.path} found problems:\n" + "\n".join(
                f"  {p}" for p in event.problems
            )
        case ev.StepFinished() | ev.Progress():
            return ""
    return f"   {event.name}"
