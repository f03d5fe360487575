"""Events in plain words: one line each, as an operator would say them.

Both front ends use these lines (the headless CLI prints them; the terminal
UI shows them in its log), so a ceremony reads the same either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded by describe() itself: `ceremony verify` uses grouped() only
    from ceremony import events as ev


def short(keyid: str) -> str:
    return keyid[:8]


def grouped(hex_text: str, size: int = 4) -> str:
    """A hash in groups for reading aloud: ``3f2a 9c1e 77b0 ...``."""
    return " ".join(hex_text[i : i + size] for i in range(0, len(hex_text), size))


def grouped_lines(hex_text: str, per_line: int = 8) -> list[str]:
    """A hash in groups of four, ``per_line`` groups a line (a sha256: two lines of
    39 characters), so that it fits a narrow terminal beside a label."""
    groups = grouped(hex_text).split()
    return [" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line)]


def qr_lines(text: str) -> list[str]:
    """``text`` as a QR code in half-block characters, two rows a line, with
    the quiet zone a scanner needs (drawn black on white by the UI's widget
    and by a terminal's default colours)."""
    import qrcode

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    chars = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    return [
        "".join(chars[(top, bottom)] for top, bottom in zip(matrix[i], matrix[i + 1], strict=True))
        for i in range(0, len(matrix), 2)
    ]


def on_token(facts: Mapping[str, object]) -> str:
    """A second line for a key on a token: which token, its CKA_ID, its origin."""
    if not facts.get("token_label") and not facts.get("token_serial"):
        return ""
    line = (
        f"\n     on token {facts.get('token_label', '')!r} (serial {facts.get('token_serial')}, "
        f"{facts.get('token_model')}, firmware {facts.get('token_firmware')}), CKA_ID "
        f"{facts.get('cka_id')}: {facts.get('origin')}"
    )
    if facts.get("piv_slot"):
        line += (
            f"\n     PIV slot {facts['piv_slot']}, PIN policy {facts.get('pin_policy')}, "
            f"touch policy {facts.get('touch_policy')}"
        )
    if facts.get("attested_serial"):  # compared by eye with the YubiKey in hand
        fips = ", FIPS series" if facts.get("fips_series") else ""
        digest = str(facts.get("attestation_root_sha256") or "")
        line += (
            f"\n     attested: serial {facts['attested_serial']}, firmware "
            f"{facts.get('attested_firmware')}, {facts.get('form_factor')}{fips}; by "
            f"{facts.get('attestation_root')} ({digest[:8]}...{digest[-6:]})"
        )
    return line


def describe(event: ev.Event) -> str:
    from ceremony import events as ev
    from ceremony.threshold import threshold_words

    match event:
        case ev.CeremonyStarted():
            mark = " (REHEARSAL)" if event.rehearsal else ""
            return (
                f"Ceremony {event.ceremony_id}: {event.kind} ({event.flavor}){mark}\n"
                f"  {event.title}\n  script sha256 {grouped(event.script_sha256)}"
                + (f"\n  software digest {grouped(event.software_digest)}"
                   if event.software_digest else "")
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
                f"({event.backend})" + on_token(event.facts)
            )
        case ev.KeyImported():
            return f"   key {event.key}: imported {event.algorithm}, id {short(event.keyid)}"
        case ev.KeyLoaded():
            where = " on its token" if event.location.startswith("pkcs11:") else ""
            return f"   key {event.key} opened{where}, id {short(event.keyid)}"
        case ev.KeyStored():
            return f"   key {event.key} stored encrypted at {event.path}, read back and opened"
        case ev.KeyDestroyed() if event.token:
            return f"   key {event.key} destroyed on {event.token}; read back: it is gone"
        case ev.KeyDestroyed() if event.proof:
            return f"   key {event.key} ({short(event.keyid)}) destroyed: {event.proof}"
        case ev.KeyDestroyed():
            return f"   key {event.key} closed; its copy in memory is gone"
        case ev.KeyToDestroy():
            return f"   key {event.key} ({short(event.keyid)}) to destroy: {event.how}"
        case ev.DestructionEnded() if event.not_destroyed:
            return "\n".join([
                f"   DESTRUCTION NOT FINISHED (recorded in {event.record_path}):",
                *(f"   NOT destroyed: {item}" for item in event.not_destroyed),
                *(f"   destroyed: {item}" for item in event.destroyed),
                f"   {event.todo}",
            ])
        case ev.DestructionEnded():
            return f"   every key and file to destroy is destroyed; recorded in {event.record_path}"
        case ev.FileWiped():
            return (f"   wiped {event.path} ({event.what}, {event.size} bytes): overwritten, "
                    "synced, read back, removed")
        case ev.TokenLoggedIn():
            again = f" ({event.pin_entries} PIN entries)" if event.pin_entries > 1 else ""
            return (
                f"   token {event.token!r} (serial {event.serial}, {event.model}, firmware "
                f"{event.firmware}) unlocked for this ceremony{again}"
            )
        case ev.KeyBackedUp():
            return (
                f"   key {event.key} ({short(event.keyid)}) IMPORTED into backup token "
                f"{event.token!r} (serial {event.serial}) as CKA_ID "
                f"{event.facts.get('cka_id', '?')}, not generated there; its test signature "
                "verified"
            )
        case ev.KeyRehomed():
            what = "its home from now on" if event.home else "a further copy"
            return (
                f"   key {event.key} ({short(event.keyid)}) IMPORTED into token {event.token!r} "
                f"(serial {event.serial}) as CKA_ID {event.facts.get('cka_id', '?')}, not "
                f"generated there; its test signature verified; {what}"
            )
        case ev.KeySucceeds():
            return (
                f"   key {event.key} ({short(event.keyid)}) signs {event.repository} from now "
                f"on, replacing {event.replaces}"
            )
        case ev.TouchRequested():
            return f"   >>> {event.message}"
        case ev.TokenClosed():
            keys = f"; its keys stay on it: {', '.join(event.keys)}" if event.keys else ""
            return f"   token {event.token!r} (serial {event.serial}) logged out{keys}"
        case ev.MetadataBuilt():
            return f"   {event.role} version {event.version} built, expires {event.expires}"
        case ev.SignatureAdded():
            return f"   {event.role} v{event.version} signed by {event.key} ({short(event.keyid)})"
        case ev.ThresholdMet():
            return f"   {event.group} {event.role}: {threshold_words(event.have, event.need)}"
        case ev.FileWritten():
            return f"   wrote {event.path} ({event.size} bytes)"
        case ev.LeftoverRemoved():
            return f"   removed {event.path}: {event.what} (key files overwritten first)"
        case ev.OperatorConfirmed():
            by = f" (scripted answer; witness {event.witness})" if event.witness else (
                " (scripted answer)" if event.scripted else ""
            )
            return f"   confirmed: {event.question}{by}"
        case ev.Warning():
            return f"   WARNING: {event.message}"
        case ev.CustodySealed():
            split = f", share set id {event.set_id}" if event.set_id is not None else ""
            return (
                f"   custody bundle sealed ({', '.join(event.keys)}): {event.scheme}{split}\n"
                f"   bundle sha256 {grouped(event.bundle_sha256)}\n"
                + "\n".join(f"   copy written, read back: {copy}" for copy in event.copies)
            )
        case ev.ShareSheetsWritten():
            return f"   {len(event.sheets)} share sheets (PDF and text) written to {event.folder}"
        case ev.ShareHandedOut():
            who = f" to {event.custodian}" if event.custodian else ""
            how = "checksum words read back" if event.read_back else "NOT read back"
            how += f"; witness {event.witness}" if event.witness else ""
            return f"   share {event.number} of {event.total} handed out{who} ({how})"
        case ev.RestoreTested():
            used = (
                "shares " + ", ".join(str(n) for n in event.shares_used)
                if event.shares_used else "the passphrase"
            )
            return (
                f"   test restore: {used} opened {len(event.copies_checked)} copies; "
                f"every key matched ({', '.join(event.keys_matched)})"
            )
        case ev.ShareAccepted():
            return f"   share {event.number} accepted ({event.source}): {event.progress}"
        case ev.ShareRefused():
            return f"   REFUSED {event.reason}"  # the reason names the share and its source
        case ev.CustodyOpened():
            lines = [f"   custody bundle {event.custody_id} opened from {event.copy}"]
            lines += [f"   DAMAGED COPY: {problem}" for problem in event.problems]
            return "\n".join(lines)
        case ev.KeyRecovered():
            roles = ", ".join(event.current_roles) or "no role of the current root"
            return f"   key {event.key} recovered, id {short(event.keyid)}, matches: {roles}"
        case ev.SharesRetired():
            set_id = f" (set id {event.set_id})" if event.set_id is not None else ""
            return (
                f"   shares of custody bundle {event.custody_id}{set_id} RETIRED: "
                f"{event.reason}; collect and destroy those sheets"
            )
        case ev.StepFailed():
            return f"   FAILED: {event.error}"
        case ev.BagSealed():
            return f"   bag {event.bag} sealed ({event.holds}): serial {event.serial}"
        case ev.BagChecked():
            if event.matches:
                return (f"   bag {event.bag} ({event.holds}): serial {event.serial}, as "
                        "recorded when it was sealed")
            return (f"   bag {event.bag} ({event.holds}): serial {event.serial} DIFFERS from "
                    f"the record ({event.recorded})")
        case ev.WitnessException():
            by = f" (witness {event.witness})" if event.witness else ""
            return f"   EXCEPTION recorded{by}: {event.what}; why: {event.why}"
        case ev.CeremonyFinished():
            return "Every step is done; the bundle is checked, then sealed."
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
        case ev.SittingFinished():
            return f"== Sitting: {event.sitting}: wrote {event.wrote}"
        case ev.BundleVerified():
            if event.ok:
                return f"Verified {event.path}: every check holds."
            return f"Verification of {event.path} found problems:\n" + "\n".join(
                f"  {p}" for p in event.problems
            )
        case ev.StepFinished() | ev.Progress():
            return ""
    return f"   {event.name}"
