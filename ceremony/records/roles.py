"""Who is in the room: the roles a printed record names and who signs it off.

Every ceremony has a ceremony administrator, an internal witness and an
auditor (their names are written in by hand); the keyholders and custodians
are named by the script (run sheet) or by the transcript (record).
"""

from __future__ import annotations

from collections.abc import Iterable

from ceremony.records.document import NameLines, SignOff

ADMINISTRATOR = "Ceremony administrator"
WITNESS = "Internal witness"
AUDITOR = "Auditor"


def unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for name in names if name))


def name_lines(keyholders: Iterable[str], custodians: Iterable[str]) -> list[NameLines]:
    keyholders, custodians = unique(keyholders), unique(custodians)
    lines = [NameLines(ADMINISTRATOR, ("",)), NameLines(WITNESS, ("",))]
    if keyholders:
        lines.append(NameLines("Keyholders", keyholders))
    if custodians:
        lines.append(NameLines("Custodians", custodians))
    lines.append(NameLines(AUDITOR, ("",)))
    return lines


def sign_off(keyholders: Iterable[str], custodians: Iterable[str]) -> SignOff:
    """One sign-off block per participant, the script's or transcript's names filled in."""
    people = [(ADMINISTRATOR, ""), (WITNESS, "")]
    people += [("Keyholder", name) for name in unique(keyholders)]
    people += [("Custodian", name) for name in unique(custodians)]
    people.append((AUDITOR, ""))
    return SignOff(tuple(people))
