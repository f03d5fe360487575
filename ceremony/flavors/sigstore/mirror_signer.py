"""Who re-signs the mirror's snapshot and timestamp: an online server, or the next ceremony.

``trust: mirror-signer: online | offline`` says it. Online: the snapshot and
timestamp keys are exported, encrypted (their age files under keys/online/),
for the server that refreshes timestamp.json, as TUF intends; the bundle
gets ``mirror-signer/`` naming the keys, their files and the dates by which
each role must be re-signed. Offline: no server holds them; a closed network
without an online signer needs the long expiries only a ceremony renews, so
preflight refuses snapshot or timestamp expiring within 90 days. Without the
field, preflight says which the expiries imply, as before (:func:`online_signer`,
the one rule). Online, a snapshot or timestamp key on a token is refused, made here
or the current bundle's (:func:`check_exportable`, one check): it cannot be exported.
Online, a later ceremony signs snapshot and timestamp at a version from its clock
(:func:`next_version`), above any the server has reached.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from ceremony.engine.keyring import KeyRecord
from ceremony.engine.preflight_result import PreflightResult

#: snapshot and timestamp expiring sooner than this need an online signer to refresh them
ONLINE_REFRESH = timedelta(days=90)
SIGNERS = ("online", "offline")
FOLDER = "mirror-signer"


def online_signer(mode: str | None, expiries: Iterable[datetime], at: datetime) -> bool:
    """Whether a server re-signs snapshot and timestamp between ceremonies: said
    (``mirror-signer: online``) or, unsaid, implied by an expiry within 90 days."""
    return mode == "online" or (mode is None and any(e - at < ONLINE_REFRESH for e in expiries))


def next_version(version: int, online: bool, at: datetime, *, served_online: bool) -> int:
    """The version a ceremony at ``at`` signs snapshot or timestamp at, after the
    bundle's ``version``: + 1; with an online signer, which re-signs at its own + 1
    meanwhile, at least ``at`` in whole seconds since the epoch (UTC), which the
    server reaches only by re-signing more than once a second since the bundle.
    An online signer is this ceremony's (``online``) or the current bundle's
    (``served_online``: its script said online, or its expiries implied it), so that
    a ceremony that leaves a server for offline signing still signs above the
    server's versions."""
    if online or served_online:
        return max(version + 1, int(at.timestamp()))
    return version + 1


def check_mirror_signer(
    mode: str | None, expiries: dict[str, datetime], result: PreflightResult, at: datetime
) -> None:
    """One line per role (snapshot, timestamp): what its expiry means under ``mode``."""
    for role, expires in expiries.items():
        days = (expires - at).days
        when = f"{role} expires {expires:%Y-%m-%d} (in {days} days)"
        short = expires - at < ONLINE_REFRESH
        if mode == "offline" and short:
            result.add(
                f"mirror-signer {role}",
                f"{when}, but mirror-signer is offline: no server re-signs it, so clients "
                "stop updating then; give snapshot and timestamp 90 days or more, or write "
                "mirror-signer: online",
            )
        elif mode == "online":
            result.add(
                f"mirror-signer {role}",
                None,
                f"{when}: online; the {role} key is exported encrypted for the server "
                f"({FOLDER}/), which must re-sign {role} before then, or clients stop updating",
            )
        elif online_signer(mode, [expires], at):
            result.add(
                f"mirror-signer {role}",
                None,
                f"{when}: online, as its expiry implies (no mirror-signer:); its key is stored "
                f"encrypted (keys/online/), but no {FOLDER}/ is written for the server: write "
                f"mirror-signer: online for one; a server must re-sign {role} before then, or "
                "clients stop updating",
            )
        else:
            result.add(
                f"mirror-signer {role}",
                None,
                f"{when}: offline; no server holds the {role} key, and a ceremony must "
                "re-sign it before then",
            )


def check_exportable(on_tokens: list[tuple[str, str, bool]], result: PreflightResult) -> None:
    """With mirror-signer: online, each snapshot and timestamp key of the root the
    ceremony ends with must be one the server can take: :func:`server_files` exports
    only keys kept in files, and a key on a token stays on it (``on_tokens``: (role,
    key name, whether it is made here or the current bundle's))."""
    for role, name, made_here in on_tokens:
        where, todo = (
            ("is made on a token", f"make {name} in software (stored encrypted for the server)")
            if made_here else
            ("is the current bundle's, kept on a token",
             f"first give {role} a key made in software (a rotate-root)")
        )
        result.add(
            f"mirror-signer {role}",
            f"the {role} key {name} {where}, where it stays, but mirror-signer is online: "
            f"{FOLDER}/ exports only keys kept in files, so the server could not re-sign "
            f"{role} and clients would stop updating when it expires; {todo}, or give "
            "snapshot and timestamp 90 days or more and write mirror-signer: offline",
        )


def server_files(
    keys: list[KeyRecord], expiries: dict[str, tuple[int, datetime]]
) -> dict[str, bytes]:
    """``mirror-signer/keys.json`` and ``README.md`` for the online signer: each key's
    id, role, encrypted file and public key; each role's version and expiry."""
    entries = {
        record.name: {
            "keyid": record.keyid,
            "roles": sorted(record.roles & {"snapshot", "timestamp"}),
            "file": record.location.split(":", 1)[1],
            "public_pem": record.public_pem,
        }
        for record in keys
    }
    roles = {
        role: {"version": version, "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}
        for role, (version, expires) in expiries.items()
    }
    index = json.dumps({"keys": entries, "roles": roles}, indent=2, sort_keys=True) + "\n"
    lines = [
        "# The mirror's online signer",
        "",
        "This ceremony chose `mirror-signer: online`: the server that serves `mirror/`",
        "re-signs `timestamp.json` (and `snapshot.json` when targets change) before each",
        "expires. Install on it, and only on it, the encrypted key files below; their",
        "holder gives the passphrase to the server's operator.",
        "",
    ]
    lines += [
        f"- {name}: {', '.join(entry['roles'])}, id {entry['keyid'][:16]}, file `{entry['file']}`"
        for name, entry in entries.items()
    ]
    lines += [""] + [
        f"- {role} version {value['version']} expires {value['expires']}: re-sign before then"
        for role, value in roles.items()
    ]
    lines += [
        "",
        "Re-sign at your current version + 1. A later ceremony's snapshot and timestamp",
        "carry a version from its clock (seconds since 1970, UTC), higher than yours:",
        "when its `mirror/` arrives, serve it as it is, then go on re-signing from its",
        "versions + 1.",
    ]
    return {f"{FOLDER}/keys.json": index.encode(), f"{FOLDER}/README.md": "\n".join(lines).encode()}
