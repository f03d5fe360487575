"""The checks of a Sigstore script, by kind (``SigstoreFlavor.script_checks``).

A bootstrap's are the TUF bootstrap's, asked through the Flavor interface.
An update-trust makes no key: it needs keys named in sign-with, and a
passphrase entry only for those; what sign-with must reach (the targets,
snapshot and timestamp thresholds of the current root) is preflight's.
A cosign key the cluster policies name (a group's, or one naming
``repositories:``) needs a name they can carry (policies.py).
A migrate-dct makes only its groups' cosign keys, and moves each GUN once;
its custody section is checked as a bootstrap's, and needs a key in a file
to seal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore.plan import SigstoreDetails
from ceremony.flavors.sigstore.policies import POLICY_KEY_NAME_MAX, policy_name_problem
from ceremony.script import rules
from ceremony.script.custody_checks import custody_problems
from ceremony.script.hardware_checks import hardware_problems
from ceremony.script.plan import Plan
from ceremony.script.rules import Problem


def sign_with_given(plan: Plan) -> Iterator[Problem]:
    if not plan.sign_with:
        yield Problem(
            "sign-with",
            "no keys sign: an update-trust is signed by the targets, snapshot and timestamp "
            "keys of the current bundle",
            "List them, e.g. sign-with: [targets, snapshot, timestamp]",
        )


def no_keys_made(plan: Plan) -> Iterator[Problem]:
    if plan.keys and plan.kind == "migrate-dct":
        yield Problem(
            "keys",
            "a migrate-dct makes only the cosign keys its groups name",
            "Remove keys:, and name each cosign key in groups:",
        )
    elif plan.keys:
        yield Problem(
            "keys",
            "an update-trust makes no key; it signs with keys of the current bundle",
            "Remove keys:, and name the current keys in sign-with",
        )


def each_gun_once(plan: Plan) -> Iterator[Problem]:
    details: SigstoreDetails = plan.details
    seen: dict[str, str] = {}
    for index, group in enumerate(details.groups):
        for gun in group.guns:
            if gun in seen:
                yield Problem(
                    f"groups[{index}].guns",
                    f"{gun} is already in group {seen[gun]!r}: a GUN moves to one cosign key",
                    "Name each GUN in one group only",
                )
            seen.setdefault(gun, group.key)


def custody_has_a_key(plan: Plan) -> Iterator[Problem]:
    details: SigstoreDetails = plan.details
    if plan.custody is not None and all(key.hardware is not None for key in details.cosign_keys):
        yield Problem(
            "custody",
            "every group's cosign key is made on a token, where it stays: custody would "
            "have nothing to seal",
            "Remove custody:, or make a group's key in a file (no backend: pkcs11)",
        )


def passphrases_for_signers(plan: Plan) -> Iterator[Problem]:
    for name, _source in plan.passphrases:
        if name not in plan.sign_with:
            yield Problem(
                f"passphrases.{name}",
                f"no key named {name!r} is listed in sign-with",
                "Remove the entry, or fix the key name",
            )


def cosign_key_names(plan: Plan) -> Iterator[Problem]:
    details: SigstoreDetails = plan.details
    taken = {key.name for key in plan.keys}
    seen: set[str] = set()
    migration = plan.kind == "migrate-dct"
    field = "groups" if migration else "cosign-keys"
    # the keys the cluster policies name: every group's, and those that name repositories
    scoped = {name for name, _globs in details.cosign_repositories}
    for index, key in enumerate(details.cosign_keys):
        if key.name in taken or key.name in seen:
            yield Problem(
                f"{field}[{index}].name",
                f"the name {key.name!r} is already used by another key",
                "Give each key its own name",
            )
        problem = policy_name_problem(key.name) if migration or key.name in scoped else ""
        if problem:
            yield Problem(
                f"{field}[{index}].name",
                f"{key.name!r} names the key in the cluster policies, but it {problem}",
                f"Give the key a name of at most {POLICY_KEY_NAME_MAX} characters that ends "
                "with a letter or digit",
            )
        seen.add(key.name)
        holders = {holder.name for holder in plan.keyholders}
        if key.holder is not None and key.holder not in holders:
            yield Problem(
                f"{field}[{index}].holder",
                f"{key.holder!r} is not one of the keyholders",
                "Add them under keyholders, or fix the name",
            )


def checks(kind: str) -> tuple[Callable[[Plan], Iterable[Problem]], ...]:
    if kind == "update-trust":
        return (
            rules.keyholders_and_keys_once,
            no_keys_made,
            sign_with_given,
            passphrases_for_signers,
        )
    if kind == "migrate-dct":
        return (
            rules.keyholders_and_keys_once,
            no_keys_made,
            cosign_key_names,
            each_gun_once,
            hardware_problems,
            custody_problems,
            custody_has_a_key,
        )
    return (*flavor_named("tuf").script_checks(kind), cosign_key_names)
