"""``ceremony inspect`` of a Sigstore ``trusted_root.json``: its CAs, logs and windows.

:func:`inspect_sigstore` reads a trusted_root.json (the one at the top of a
bundle folder, or the one a published mirror's newest targets names), within
the verifier's limits and as strict JSON, and returns plain data: each
Fulcio CA and timestamp authority with its chain's subjects and expiry,
each Rekor and CT log with its key type and log id (and whether that id is
the key's sha256), each with its validity window and days left.
:func:`sigstore_lines` turns that into text. Nothing here prints.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from ceremony.errors import BundleError
from ceremony.flavors.sigstore.documents import TRUSTED_ROOT, TRUSTED_ROOT_MEDIA_TYPE
from ceremony.flavors.sigstore.material import certificate_name
from ceremony.flavors.sigstore.trusted_root_file import trusted_root_file
from ceremony.inspect import columns, days_words
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.loader import read_file_within
from ceremony.verify.problem import safe_path, shown
from ceremony.verify.strict_json import parse_json
from ceremony.verify.times import as_utc, utc_text

MAX_TRUSTED_ROOT = 1_000_000
_SECTIONS = (
    ("certificateAuthorities", "Fulcio CA"),
    ("tlogs", "Rekor log"),
    ("ctlogs", "CT log"),
    ("timestampAuthorities", "timestamp authority"),
)


def _file(path: Path) -> Path:
    """The trusted root of ``path`` (trusted_root_file.py); else where it would be,
    for the error that names it."""
    return trusted_root_file(path) or path / TRUSTED_ROOT


def inspects_sigstore(path: Path) -> bool:
    """Whether ``path`` is a trusted_root.json, a folder holding one at its top, or a
    published mirror whose newest targets names one."""
    try:
        document = parse_json(read_file_within(_file(path), MAX_TRUSTED_ROOT, "a trusted root"))
    except (BundleError, MalformedJSONError):
        return False
    return isinstance(document, dict) and "mediaType" in document and "tlogs" in document


def _days(end: datetime | None, at: datetime) -> tuple[int | None, bool | None]:
    if end is None:
        return None, None
    return (end - at).days, end < at


def parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except (ValueError, OverflowError):  # not a time, or one UTC cannot hold (year 1, 9999)
        return None


def inspect_sigstore(path: Path, *, at: datetime | None = None) -> dict[str, Any]:
    now = as_utc(at)
    file = _file(Path(path))
    data = read_file_within(file, MAX_TRUSTED_ROOT, "a trusted root")
    try:
        document = parse_json(data)
    except MalformedJSONError as error:
        raise BundleError(str(error), where=safe_path(str(file))) from None
    if not isinstance(document, dict):
        raise BundleError("is not a JSON object", where=safe_path(str(file)))
    problems: list[str] = []
    unreadable: list[str] = []  # entries with no service to show (and no deadline to judge)
    media_type = document.get("mediaType")
    if media_type != TRUSTED_ROOT_MEDIA_TYPE:
        problems.append(
            f"media type {shown(media_type)}: clients accept only {TRUSTED_ROOT_MEDIA_TYPE!r}"
        )
    services: list[dict[str, Any]] = []
    for section, words in _SECTIONS:
        entries = document.get(section) or []
        if not isinstance(entries, list):
            unreadable.append(f"{section} is not a list")
            continue
        for index, entry in enumerate(entries):
            try:
                services.append(_service(section, words, entry, now))
            except (KeyError, TypeError, ValueError):
                unreadable.append(f"{section}[{index}] cannot be read")
    return {
        "path": str(file),
        "type": "trusted_root",
        "media_type": media_type if isinstance(media_type, str) else None,
        "checked_at": utc_text(now),
        "services": services,
        "problems": problems + unreadable,
        "unreadable": unreadable,
    }


def _service(section: str, words: str, entry: dict[str, Any], now: datetime) -> dict[str, Any]:
    log = section in ("tlogs", "ctlogs")
    window = entry["publicKey"]["validFor"] if log else entry["validFor"]
    if not isinstance(window, dict):
        raise TypeError("validFor is not an object")
    start, end = parse_time(window.get("start")), parse_time(window.get("end"))
    days_left, expired = _days(end, now)
    facts: dict[str, Any] = {
        "service": words,
        "url": str(entry["baseUrl"] if log else entry.get("uri", "")),
        "start": utc_text(start) if start else None,
        "end": utc_text(end) if end else None,
        "days_left": days_left,
        "expired": expired,
    }
    if log:
        der = base64.b64decode(entry["publicKey"]["rawBytes"], validate=True)
        log_id = str(entry["logId"]["keyId"])
        facts["key"] = str(entry["publicKey"]["keyDetails"])
        facts["log_id"] = log_id
        facts["log_id_matches"] = log_id == base64.b64encode(hashlib.sha256(der).digest()).decode()
    else:
        chain = [
            x509.load_der_x509_certificate(base64.b64decode(cert["rawBytes"], validate=True))
            for cert in entry["certChain"]["certificates"]
        ]
        first_expiry = min(cert.not_valid_after_utc for cert in chain)
        chain_days, chain_expired = _days(first_expiry, now)
        facts["chain"] = [certificate_name(cert) for cert in chain]
        facts["chain_expires"] = utc_text(first_expiry)
        facts["chain_days_left"] = chain_days
        facts["chain_expired"] = chain_expired
    return facts


def sigstore_lines(facts: Mapping[str, Any]) -> list[str]:
    lines = [
        f"{safe_path(facts['path'])}: Sigstore trusted root ({shown(facts['media_type'])})",
        "",
    ]
    rows: list[list[str]] = []
    details: list[str] = []
    for service in facts["services"]:
        window = f"from {service['start'] or '?'}"
        if service["end"]:
            days = days_words(service["days_left"], service["expired"])
            window += f" until {service['end']}{days}"
        if "log_id" in service:
            mark = "" if service["log_id_matches"] else " (NOT the key's sha256)"
            details.append(f"{shown(service['key'])}, log id {shown(service['log_id'])}{mark}")
        else:
            chain = " > ".join(shown(name) for name in service["chain"])
            days = days_words(service["chain_days_left"], service["chain_expired"])
            details.append(f"chain {chain}, expires {service['chain_expires']}{days}")
        rows.append([service["service"], shown(service["url"]), window])
    for row, detail in zip(columns(rows), details, strict=True):
        lines += [row, f"    {detail}"]
    if not rows:
        lines.append("  no services")
    if facts["problems"]:
        lines += ["", "problems"] + [f"  {problem}" for problem in facts["problems"]]
    return lines
