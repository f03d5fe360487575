"""``ceremony status`` of a Sigstore trust root: its TUF roles and the windows of its services.

A path is a bundle (the roles of its ``mirror/``, the tree the clients
read), a published mirror, a client's cache holding TUF metadata and the
trusted root together (sigstore-js's), or a trusted root alone: a
``trusted_root.json`` file, or sigstore-python's targets cache (its TUF
metadata is in another folder, ``~/.local/share/sigstore-python/tuf/<mirror>/``,
which status reads as TUF metadata). Without TUF metadata, only the
services have deadlines, carried by no known targets version (0).

Beside the TUF roles, the trusted_root.json gives each Fulcio CA, Rekor
log, CT log and timestamp authority a window (``validFor``), and a CA or
TSA a certificate chain that expires. Each deadline is a
:class:`~ceremony.lifecycle.lifetime.Lifetime` of its own, named by the
``trust:`` list it comes from (``fulcio``, ``rekor``, ``ctlog``, ``tsa``)
and scoped by the service's URL, with the version of the targets metadata
that carries the trusted root: status judges it with the margins of the
roles signed offline (an update-trust ceremony renews it) and calendar
schedules it. A CA's or TSA's deadline is the earlier of its window's end
and its chain's first expiry; a log's is its window's end. A service with
no end has no deadline, and neither has one whose end another service of
its kind outlasts: a planned handover, such as a Rekor log retired by an
update-trust when a new one started. A trusted root with an entry that
cannot be read is refused (status exits 3), never shown as all in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ceremony.errors import BundleError
from ceremony.flavors.sigstore.inspect import inspect_sigstore, parse_time
from ceremony.flavors.sigstore.inspect_migration import is_migration
from ceremony.flavors.sigstore.trusted_root_file import trusted_root_file
from ceremony.lifecycle.lifetime import Lifetime
from ceremony.verify.problem import safe_path

_VERSIONED_ROOT = re.compile(r"[1-9][0-9]{0,8}\.root\.json")
#: how inspect.py names each service -> how trust: lists it (the role status shows)
ROLES = {"Fulcio CA": "fulcio", "Rekor log": "rekor", "CT log": "ctlog",
         "timestamp authority": "tsa"}

RENEWAL = ("Renew with an update-trust ceremony: a new trusted_root.json with the service's "
           "new chain or key, or its successor (docs/reference/sigstore.md)")


def sigstore_lifetimes(
    path: Path, tuf_lifetimes: Callable[[Path], list[Lifetime]]
) -> list[Lifetime]:
    """Each TUF role's lifetime at ``path`` when it holds TUF metadata (read by
    ``tuf_lifetimes``, the TUF flavor's), then each service's deadline in its
    trusted root when it holds one (see the module text)."""
    if is_migration(path):
        raise BundleError(
            "a migrate-dct bundle holds cosign keys and policies: nothing in it expires",
            where=safe_path(str(path)),
            todo="give the bundle of a trust root (its mirror/), or of the DCT ceremony",
        )
    mirror = path / "mirror"
    folder = mirror if mirror.is_dir() and not mirror.is_symlink() else path
    roles = tuf_lifetimes(folder) if _holds_metadata(folder) else []
    if trusted_root_file(path) is None:
        return roles
    targets = [lifetime.version for lifetime in roles if lifetime.role == "targets"]
    return roles + service_lifetimes(path, targets[0] if targets else 0)


def _holds_metadata(folder: Path) -> bool:
    """Whether ``folder`` is a folder of TUF metadata (a bundle's, a mirror, a cache)."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    if any((folder / name).exists() for name in ("metadata", "root.json", "root_history")):
        return True
    return any(_VERSIONED_ROOT.fullmatch(entry.name) for entry in folder.iterdir())


def service_lifetimes(path: Path, version: int) -> list[Lifetime]:
    """The deadline of each service of the trusted root at ``path`` (see the module
    text); ``version``: the targets version that carries it."""
    facts = inspect_sigstore(path)
    unreadable = facts["unreadable"]
    if unreadable:
        whose = "its window ends" if len(unreadable) == 1 else "their windows end"
        raise BundleError(
            f"{'; '.join(unreadable)}: status cannot tell when {whose}",
            where=safe_path(facts["path"]),
            todo="refresh the client's copy from the mirror, or inspect the file",
        )
    ends = [(service, _deadline(service)) for service in facts["services"]]
    lifetimes = []
    for service, end in ends:
        if end is None:
            continue
        outlasted = any(other is not service and other["service"] == service["service"]
                        and (later is None or later > end) for other, later in ends)
        if not outlasted:
            lifetimes.append(Lifetime(role=ROLES[service["service"]], version=version,
                                      expires=end, file=facts["path"], scope=service["url"],
                                      renewal=RENEWAL))
    return lifetimes


def _deadline(service: dict[str, Any]) -> datetime | None:
    times = [parse_time(service.get(name)) for name in ("end", "chain_expires")]
    known = [time for time in times if time is not None]
    return min(known) if known else None

