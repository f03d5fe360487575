"""``ceremony status`` of a Sigstore trust root: the windows of its services.

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
update-trust when a new one started.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ceremony.flavors.sigstore.inspect import inspect_sigstore, parse_time
from ceremony.lifecycle.lifetime import Lifetime

#: how inspect.py names each service -> how trust: lists it (the role status shows)
ROLES = {"Fulcio CA": "fulcio", "Rekor log": "rekor", "CT log": "ctlog",
         "timestamp authority": "tsa"}

RENEWAL = ("Renew with an update-trust ceremony: a new trusted_root.json with the service's "
           "new chain or key, or its successor (docs/reference/sigstore.md)")


def service_lifetimes(path: Path, version: int) -> list[Lifetime]:
    """The deadline of each service of the trusted root at ``path`` (see the module
    text); ``version``: the targets version that carries it."""
    facts = inspect_sigstore(path)
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

