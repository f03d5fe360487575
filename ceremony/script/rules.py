"""The rules a ceremony script's plan is judged by, one function each.

A rule reads only the Plan and yields :class:`Problem`s: a dotted path into
the script, what is wrong and what to do. The rules here mean the same for
every flavor (names defined once, keyholders known, thresholds that can be
met, a root that a lost key cannot lock, a root that outlives what it
signs); each flavor picks the rules of each kind and adds its own
(``Flavor.script_checks``). checks.py runs them. Nothing here touches the
filesystem.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ceremony.script.expiry import format_expiry
from ceremony.script.plan import Plan
from hsm.algorithms import ALGORITHMS

SUPPORTED_BACKENDS = ("software", "pkcs11", "yubikey")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan: the dotted path it is about, what, what to do.

    A ``follow_on`` problem is often the echo of another (a key no role uses,
    because a role misspells it) and is reported after the others.
    """

    path: str
    what: str
    todo: str
    follow_on: bool = False


def backend_problem(backend: str) -> tuple[str, str] | None:
    """What is wrong with a key backend name, and what to do; None when allowed."""
    if backend in SUPPORTED_BACKENDS:
        return None
    return (
        f"the backend {backend!r} is not one ceremony knows",
        "Use backend: software (the default), pkcs11 (an HSM or smart card) or yubikey",
    )


# -- names, people and keys ---------------------------------------------------


def keyholders_and_keys_once(plan: Plan) -> Iterator[Problem]:
    holders = [holder.name for holder in plan.keyholders]
    yield from listed_once(plan, "keyholders", "keyholder", holders, "List each keyholder once")
    keys = [key.name for key in plan.keys]
    yield from listed_once(plan, "keys", "key", keys, "Give each key its own name")


def listed_once(
    plan: Plan, field: str, noun: str, names: list[str], todo: str
) -> Iterator[Problem]:
    first_index: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in first_index:
            line = plan.line_of(f"{field}[{first_index[name]}].name")
            yield Problem(
                f"{field}[{index}].name",
                f"the {noun} {name!r} is already defined on line {line}",
                todo,
            )
        first_index.setdefault(name, index)


def holders_known(plan: Plan) -> Iterator[Problem]:
    holders = [holder.name for holder in plan.keyholders]
    for index, key in enumerate(plan.keys):
        if key.holder is None or key.holder in holders:
            continue
        todo = f"Add {{name: {key.holder}}} under keyholders"
        if holders:
            todo += f", or use one of: {', '.join(holders)}"
        yield Problem(f"keys[{index}].holder", f"no keyholder named {key.holder!r} is listed", todo)


def algorithms_and_backends(plan: Plan) -> Iterator[Problem]:
    for index, key in enumerate(plan.keys):
        if key.source != "generate":
            continue
        if key.algorithm not in ALGORITHMS:
            yield Problem(
                f"keys[{index}].algorithm",
                f"the algorithm {key.algorithm!r} is not allowed",
                f"Use one of: {', '.join(ALGORITHMS)}",
            )
        backend = backend_problem(key.backend)
        if backend is not None:
            yield Problem(f"keys[{index}].backend", *backend)




# -- roles --------------------------------------------------------------------


def unused_keys(plan: Plan, used: set[str], user: str) -> Iterator[Problem]:
    """Each key of ``plan`` whose name is not in ``used``: a key defined and used
    by no ``user`` (a role, a signer, a delegation) is a mistake in the script."""
    for index, key in enumerate(plan.keys):
        if key.name not in used:
            yield Problem(
                f"keys[{index}].name",
                f"the key {key.name!r} is not used by any {user}",
                f"Use it in a {user}, or remove it",
                follow_on=True,
            )


def role_signers(plan: Plan) -> Iterator[Problem]:
    defined = {key.name for key in plan.keys}
    for role in plan.roles:
        path = f"roles.{role.name}"
        yield from signer_problems(path, role.keys, role.threshold)
        if plan.kind != "bootstrap":
            continue  # other names may be keys of the current bundle (preflight)
        for index, name in enumerate(role.keys):
            if name not in defined:
                yield Problem(
                    f"{path}.keys[{index}]",
                    f"no key named {name!r} is defined in this script",
                    "Define it under keys, or use one of: "
                    + (", ".join(sorted(defined)) or "(none yet)"),
                )


def signer_problems(path: str, keys: tuple[str, ...], threshold: int) -> Iterator[Problem]:
    """A role's or delegation's keys and threshold: keys listed once, a
    threshold that is at least 1 and can be met."""
    if not keys:
        yield Problem(f"{path}.keys", "no keys are listed", "List at least one key")
    for index, name in enumerate(keys):
        if name in keys[:index]:
            yield Problem(
                f"{path}.keys[{index}]", f"{name!r} is listed twice", "List each key once"
            )
    count = len(set(keys))
    if threshold < 1:
        yield Problem(
            f"{path}.threshold",
            f"the threshold must be at least 1, got {threshold}",
            f"Write how many of the {count_keys(count)} must sign, from 1 to {max(count, 1)}",
        )
    elif threshold > count:
        yield Problem(
            f"{path}.threshold",
            f"the threshold is {threshold} but there {'is' if count == 1 else 'are'} only "
            f"{count_keys(count)}, so it could never be met",
            f"Lower the threshold to at most {count}, or add keys",
        )


def root_threshold(plan: Plan) -> Iterator[Problem]:
    root = plan.role("root")
    if root is None:
        if plan.spare_keys is not None:
            yield Problem(
                "spare-keys",
                "this is about the root role, which this script does not change",
                "Remove spare-keys",
            )
        return
    count = len(set(root.keys))
    if root.threshold == count and plan.spare_keys != "none":
        yield Problem(
            "roles.root.threshold",
            f"the root threshold is {count} of {count_keys(count)}, so losing any one root key "
            "would lock the root for good",
            "Add a spare root key or lower the threshold; if you mean it, add spare-keys: none "
            "and say why in accept-risk:",
        )
    elif 1 <= root.threshold < count and plan.spare_keys == "none":
        yield Problem(
            "spare-keys",
            "this says the root has no spare key, but its threshold is "
            f"{root.threshold} of {count} keys",
            "Remove spare-keys",
        )


def root_keys_made_here(plan: Plan) -> Iterator[Problem]:
    """Root keys this script brings must be made here and kept by someone; a
    script signed in several sittings (``request-expires:``) imports them
    instead, each made by its keyholder at their own sitting."""
    root = plan.role("root")
    if root is None:
        return
    for index, key in enumerate(plan.keys):
        if key.name not in root.keys:
            continue
        if key.source != "generate" and plan.request_expires is None:
            yield Problem(
                f"keys[{index}].import",
                f"{key.name!r} is a root key, and root keys are made during the ceremony, "
                "not imported (unless the script is signed in several sittings: "
                "request-expires:)",
                "Remove import: and give the key an algorithm and a holder",
            )
        elif key.holder is None:
            yield Problem(
                f"keys[{index}].holder",
                f"the root key {key.name!r} has no holder",
                "Add holder: the keyholder who keeps it",
            )


def one_role_per_key(plan: Plan) -> Iterator[Problem]:
    first_role: dict[str, str] = {}
    for role in plan.roles:
        for index, name in enumerate(role.keys):
            owner = first_role.setdefault(name, role.name)
            if owner != role.name:
                yield Problem(
                    f"roles.{role.name}.keys[{index}]",
                    f"{name!r} is already a key of the {owner} role",
                    "Use a separate key for each role",
                )


def root_outlives_roles(plan: Plan) -> Iterator[Problem]:
    root = plan.role("root")
    if root is None:
        return
    for role in plan.roles:
        if role.expires > root.expires:
            yield Problem(
                "roles.root.expires",
                f"the root expires at {format_expiry(root.expires)}, before the {role.name} "
                f"role ({format_expiry(role.expires)}), and it must outlive every role it signs",
                f"Give the root a later expiry, or {role.name} an earlier one",
            )




# -- small words --------------------------------------------------------------


def count_keys(count: int) -> str:
    return "1 key" if count == 1 else f"{count} keys"


def or_list(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


