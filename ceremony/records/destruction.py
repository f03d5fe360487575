"""The destruction certificate: a page of the record of a decommission.

From the transcript's ``key-destroyed`` events that carry a proof (a key
destroyed on its token and the token listed again, or a stored key left
out of the bundle), its ``file-wiped`` events and its ``shares-retired``
events: every key destroyed, by name and full id (grouped), where it was,
when, and what proves it gone; every file wiped (path, size, the sha256 of
what it held) and what a wipe does and does not prove on flash media; the
custody shares retired; then a statement the people in the room sign
(WebTrust's key destruction ceremony).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ceremony.describe import grouped
from ceremony.records.document import Block, Facts, Heading, Lines, SignOff
from ceremony.records.roles import ADMINISTRATOR, AUDITOR, WITNESS

STATEMENT = (
    "We, the undersigned, witnessed the destruction of every key listed on this page, "
    "checked each key id against the run sheet and the paper record of the ceremony that "
    "made it, and saw what proves each gone. Custody shares listed as retired are to be "
    "collected and shredded, and their copies destroyed, at the next opportunity "
    "(docs/runbooks/key-destruction.md)."
)


def destruction_blocks(events: Iterable[dict[str, Any]]) -> list[Block]:
    """The certificate's blocks; none for a ceremony that destroyed no key."""
    events = list(events)
    destroyed = [e for e in events if e.get("event") == "key-destroyed" and e.get("proof")]
    if not destroyed:
        return []
    blocks: list[Block] = [Heading("Certificate of key destruction", new_page=True)]
    for e in destroyed:
        blocks.append(Facts((
            ("Key", str(e["key"])),
            ("Key id", grouped(str(e["keyid"]))),
            ("Where", str(e.get("token") or "a stored, encrypted key file")),
            ("Destroyed at", str(e.get("time", ""))),
            ("Proof", str(e["proof"])),
        )))
    wiped = [e for e in events if e.get("event") == "file-wiped"]
    if wiped:
        blocks.append(Lines(tuple(
            f"Wiped {e['path']} ({e['what']}, {e['size']} bytes, sha256 {e['sha256']})"
            for e in wiped) + (f"Each file wiped was {wiped[0]['proof']}.",)))
    retired = [f"custody {e['custody_id']}: shares retired; {e['reason']}"
               for e in events if e.get("event") == "shares-retired"]
    if retired:
        blocks.append(Lines(tuple(retired)))
    blocks += [Lines((STATEMENT,)),
               SignOff(((ADMINISTRATOR, ""), (WITNESS, ""), (AUDITOR, "")))]
    return blocks
