"""The tamper-evident bags a bundle's ceremony sealed, read from its transcript.

Each ``bag-sealed`` line names a bag, what it holds and the serial typed when
it was sealed; the ceremony that opens the bag (its preflight and its steps),
and ``ceremony next`` writing ``bags: {open: [...]}``, read them here. Read
leniently: a transcript that cannot be read gives no bags (the transcript
check is verify's to name). No I/O.
"""

from __future__ import annotations

from ceremony.json_scan import json_loads
from ceremony.plain_record import PlainRecord
from ceremony.verify.contents import BundleContents
from ceremony.verify.limits import TRANSCRIPT


class SealedBag(PlainRecord):
    """A bag as the ceremony that sealed it recorded it."""

    name: str
    holds: str
    serial: str
    ceremony_id: str


def sealed_bags(contents: BundleContents | None) -> dict[str, SealedBag]:
    """The bags a bundle's ceremony sealed, by name (none if it cannot be read)."""
    data = contents.content(TRANSCRIPT) if contents is not None else None
    bags: dict[str, SealedBag] = {}
    ceremony_id = ""
    for raw in (data or b"").splitlines():
        try:  # the tool's UTF-8 lines, as json.loads reads them, without loading json
            line = json_loads(raw.decode("utf-8"))
        except ValueError:  # a UnicodeDecodeError too: json.loads reads and says the rest
            import json  # (a byte-order mark, UTF-16 or 32 are json's to read)

            try:
                line = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError):
                return {}
        if not isinstance(line, dict):
            continue
        if line.get("event") == "ceremony-started":
            ceremony_id = str(line.get("ceremony_id", ""))
        elif line.get("event") == "bag-sealed":
            name = str(line.get("bag", ""))
            bags[name] = SealedBag(name, str(line.get("holds", "")),
                                   str(line.get("serial", "")), ceremony_id)
    return bags
