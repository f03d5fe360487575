"""Keys a file names, the signatures over it, and whether a threshold is met.

Only keys whose keyid is the sha256 of their canonical key object, and that
load as a key of an allowed kind, may count. Each signature over a file is
checked at most once, however many rules ask; keys two rules share (the old
and the new root's) are tried first, and counting stops at the threshold, as
in TUF clients: a signature beyond it is not checked (the manifest's hash
still catches any change to it). A threshold counts distinct public keys:
the same key written under two keyids counts once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ceremony.flavors.tuf.verify.metadata import RoleRule, SignedFile
from ceremony.verify.canonical import keyid_of
from ceremony.verify.keys import KeyRing, PublicKey
from ceremony.verify.problem import Problem, short


def usable_keys(
    file: SignedFile, ring: KeyRing, problems: list[Problem], keys_field: str = "signed.keys"
) -> dict[str, PublicKey]:
    """The keys of ``file`` that may count toward a threshold, by keyid;
    a problem for each that may not, and for each key listed twice."""
    usable: dict[str, PublicKey] = {}
    first_keyid_of: dict[bytes, str] = {}
    for keyid, key in file.keys.items():
        try:
            right_keyid, public_key = ring.known(key, keyid_of)
        except (TypeError, ValueError):
            problems.append(Problem(file.path, f"{keys_field} {short(keyid)} is not a key object"))
            continue
        if keyid != right_keyid:
            problems.append(
                Problem(
                    file.path,
                    f"keyid {short(keyid)} is not the sha256 of its key "
                    f"(that would be {short(right_keyid)}); it does not count",
                )
            )
            continue
        if isinstance(public_key, str):  # why it cannot be loaded
            problems.append(
                Problem(file.path, f"key {short(keyid)}: {public_key}; it does not count")
            )
            continue
        earlier = first_keyid_of.setdefault(public_key.identity, keyid)
        if earlier != keyid:
            one, other = sorted((earlier, keyid))
            problems.append(
                Problem(
                    file.path,
                    f"keyids {short(one)} and {short(other)} are the same public key; "
                    "it counts once",
                )
            )
        usable[keyid] = public_key
    return usable


class SignatureChecks:
    """Which signatures over one file verify, each checked once."""

    __slots__ = ("_failed", "_results", "file")

    def __init__(self, file: SignedFile) -> None:
        self.file = file
        self._results: dict[tuple[str, bytes], bool] = {}
        self._failed: list[str] = []  # in the order they were first checked

    def verifies(self, keyid: str, key: PublicKey) -> bool:
        checked = (keyid, key.identity)
        result = self._results.get(checked)
        if result is None:
            signature = self.file.signatures.get(keyid)
            result = signature is not None and key.verifies(signature, self.file.payload)
            self._results[checked] = result
            if not result and keyid not in self._failed:
                self._failed.append(keyid)
        return result

    def failed(self) -> list[str]:
        """Keyids whose signature was checked and does not verify."""
        return list(self._failed)


class Tally:
    """How many distinct keys of a role signed a file."""

    __slots__ = ("rule", "signers")

    def __init__(self, rule: RoleRule) -> None:
        self.rule = rule
        self.signers: list[str] = []

    @property
    def met(self) -> bool:
        return len(self.signers) >= self.rule.threshold

    def shortfall(self, owner: str) -> str:
        """The problem line when the threshold is not met; ``owner`` names
        the metadata that sets the rule ("version 2", "root version 3")."""
        from ceremony.threshold import threshold_words  # loaded for a bundle found wanting

        words = threshold_words(len(self.signers), self.rule.threshold, "valid signature")
        line = f"{self.rule.name} keys of {owner}: {words}"
        if self.signers:
            line += f" (keyids {', '.join(short(keyid) for keyid in self.signers)})"
        return line


def tally(
    rule: RoleRule,
    keys: dict[str, PublicKey],
    checks: SignatureChecks,
    first: Collection[str] = (),
) -> Tally:
    """Count the distinct keys of ``rule`` with a good signature over the file,
    trying the keyids in ``first`` before the others and stopping once the
    threshold is met (as TUF clients do: no signature beyond it matters)."""
    result = Tally(rule)
    signers, need, signatures = result.signers, rule.threshold, checks.file.signatures
    verifies = checks.verifies
    counted: set[bytes] = set()
    ordered: Sequence[str] = rule.keyids
    if first:  # those in first, then the others, each in the rule's order (a stable sort)
        ordered = sorted(ordered, key=first.__contains__, reverse=True)
    for keyid in ordered:
        if len(signers) >= need:  # met
            break
        key = keys.get(keyid)
        if key is None or keyid not in signatures:
            continue
        identity = key.identity
        if identity in counted or not verifies(keyid, key):
            continue
        counted.add(identity)
        signers.append(keyid)
    return result


def check_signed_by(
    checks: SignatureChecks,
    rules: list[tuple[RoleRule, dict[str, PublicKey], str]],
    problems: list[Problem],
) -> bool:
    """Check the file against each (rule, keys, owner); a problem line for each
    signature that does not verify and each threshold not met. True if all met."""
    # keyids that more than one rule names are checked first: one check, two counts
    shared: set[str] = set()
    if len(rules) == 2:  # a root version: the old root's rule and its own
        shared = set(rules[0][0].keyids).intersection(rules[1][0].keyids)
    elif len(rules) > 2:
        named: dict[str, int] = {}
        for rule, _, _ in rules:
            for keyid in rule.keyids:
                named[keyid] = named.get(keyid, 0) + 1
        shared = {keyid for keyid, count in named.items() if count > 1}
    tallies = []
    for rule, keys, owner in rules:  # a loop, not a comprehension: one frame fewer
        tallies.append((tally(rule, keys, checks, shared), owner))
    path = checks.file.path
    for keyid in checks.failed():
        problems.append(Problem(path, f"the signature by key {short(keyid)} does not verify"))
    all_met = True
    for result, owner in tallies:
        if not result.met:
            all_met = False
            problems.append(Problem(path, result.shortfall(owner)))
    return all_met
