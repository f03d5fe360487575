"""Which fields a ceremony script of each kind takes: the names, nothing that reads them.

The loader (load.py, flavor_fields.py) reads a script by these lists; ``ceremony
next`` writes the next script by them too, and needs none of the readers or the
Plan's classes that reading a script takes.
"""

from __future__ import annotations

from collections.abc import Mapping

from ceremony.plain_record import PlainRecord

#: the kinds a signing request can hold (signed in several sittings, ceremony/sittings/)
SIGNED_IN_SITTINGS = ("rotate-root",)
#: fields every script has, whatever its flavor and kind
COMMON_FIELDS = (
    "format",
    "ceremony",
    "flavor",
    "title",
    "rehearsal",
    "network",
    "output",
    "output-media",
    "keyholders",
    "keys",
    "passphrases",
    "pins",
    "accept-risk",
    "policy",
    "request-expires",
    "bags",
)
#: fields several kinds share, read by the loader when a kind takes them
SHARED_FIELDS = ("current", "sign-with", "spare-keys", "custody", "recover-from", "rehome",
                 "destroy", "wipe")


class ScriptRules(PlainRecord):
    """The fields a flavor's scripts of one kind take beyond COMMON_FIELDS.

    ``refused``: fields the kind refuses with a reason of its own (field ->
    what, todo), before any other check, e.g. a field another flavor has.
    """

    fields: tuple[str, ...]
    required: tuple[str, ...]
    hints: Mapping[str, str] = {}  # a new dict for each (PlainRecord)
    refused: Mapping[str, tuple[str, str]] = {}
