"""The destruction certificate: a page of the record of a decommission.

From the transcript's ``key-to-destroy`` events (the keys to destroy once
the bundle was sealed) and the destruction record beside the bundle
(bundle/destruction_record.py, chained to the transcript's head): its
``key-destroyed`` events that carry a proof (a key destroyed on its token
and the token listed again, or a stored key left out of the bundle), its
``file-wiped`` events and what it says was not destroyed; with the
transcript's ``shares-retired`` events (a bundle of an older version
carries its ``key-destroyed`` and ``file-wiped`` events in its transcript):
every key to destroy, by name and full id (grouped), where it was, how, and
when and what proves it gone, or that nothing does (no record, a line that
does not chain, a key it says was not destroyed); every file wiped (path,
size, the sha256 of what it held) and what a wipe does and does not prove on
flash media; the custody shares retired; then a statement the people in the
room sign (WebTrust's key destruction ceremony).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ceremony.bundle.destruction_record import DestructionRecord
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


def destruction_blocks(events: Iterable[dict[str, Any]],
                       record: DestructionRecord | None = None) -> list[Block]:
    """The certificate's blocks; none for a ceremony that destroyed no key. ``record``:
    the destruction record beside the bundle, for a bundle whose keys were to be
    destroyed after its seal (``key-to-destroy``)."""
    events = list(events)
    later = record.lines if record is not None else []
    planned = [e for e in events if e.get("event") == "key-to-destroy"]
    destroyed = {str(e.get("keyid")): e for e in [*events, *later]
                 if e.get("event") == "key-destroyed" and e.get("proof")}
    if not destroyed and not planned:
        return []
    blocks: list[Block] = [Heading("Certificate of key destruction", new_page=True)]
    if planned:
        blocks.append(Lines((_record_words(record),)))
    for e in planned or list(destroyed.values()):
        done = destroyed.get(str(e["keyid"]))
        facts = [("Key", str(e["key"])), ("Key id", grouped(str(e["keyid"]))),
                 ("Where", str(e.get("token") or "a stored, encrypted key file"))]
        if "how" in e:
            facts.append(("To be destroyed", str(e["how"])))
        if done is not None:
            facts += [("Destroyed at", str(done.get("time", ""))), ("Proof", str(done["proof"]))]
        else:
            facts.append(("Destroyed", "NO: not in the destruction record"))
        blocks.append(Facts(tuple(facts)))
    wiped = [e for e in [*events, *later] if e.get("event") == "file-wiped"]
    if wiped:
        blocks.append(Lines(tuple(
            f"Wiped {e['path']} ({e['what']}, {e['size']} bytes, sha256 {e['sha256']})"
            for e in wiped) + (f"Each file wiped was {wiped[0]['proof']}.",)))
    ended = record.ended if record is not None else None
    if ended is not None and ended.get("not_destroyed"):
        blocks.append(Lines(tuple(f"NOT destroyed: {item}" for item in ended["not_destroyed"])
                            + (f"To do: {ended.get('todo', '')}",)))
    retired = [f"custody {e['custody_id']}: shares retired; {e['reason']}"
               for e in events if e.get("event") == "shares-retired"]
    if retired:
        blocks.append(Lines(tuple(retired)))
    blocks += [Lines((STATEMENT,)),
               SignOff(((ADMINISTRATOR, ""), (WITNESS, ""), (AUDITOR, "")))]
    return blocks


def _record_words(record: DestructionRecord | None) -> str:
    """What the certificate says of the destruction record beside the bundle."""
    if record is None or record.problem:
        return ("The keys below were to be destroyed once the bundle was sealed; "
                + (record.problem if record is not None else "no destruction record was read")
                + ". Check each key by hand (docs/runbooks/key-destruction.md) before "
                "signing: a key not proved destroyed here is not destroyed.")
    return (f"The keys below were destroyed after the bundle was sealed, as recorded in "
            f"{record.path} ({len(record.lines)} lines, chained to the bundle's transcript "
            "head).")
