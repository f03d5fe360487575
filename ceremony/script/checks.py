"""Whether a ceremony script makes sense, beyond being well-formed.

load.py reads a script's fields; this module checks what they mean together
(docs/scripts.md, "Checks" and each kind): that thresholds can be met and a
lost root key cannot lock the root, that expiries are in the future and the
root outlives what it signs, that every name used is defined once, that
algorithms and backends are allowed, and that no secret was written into the
script. It reads only the Plan (and, for secrets, the raw script); it never
touches the filesystem or the current bundle.

What it cannot check is left to the engine's preflight, which reads the
current bundle: for ``rotate-root`` and ``delegate``, key names in ``roles``,
``delegations`` and ``sign-with`` that this script does not define must be
keys of the current bundle, ``sign-with`` must reach the current thresholds,
and the root must outlive the roles the script leaves unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from ceremony.errors import ScriptError
from ceremony.script.expiry import format_expiry
from ceremony.script.plan import TOP_LEVEL_ROLES, Plan
from ceremony.script.yamlload import Located
from hsm.algorithms import ALGORITHMS

SUPPORTED_BACKENDS = ("software", "pkcs11", "yubikey")
SECRET_WORDS = frozenset({"passphrase", "password", "passwd", "pin", "puk", "secret", "private"})
# Fields named like a secret that hold a setting, allowed with these values only.
NOT_SECRETS = {"pin-policy": ("default", "never", "once", "always")}
_SECRET_TODO_RUN_TIME = "prompt or {env: VAR} under passphrases, or `ceremony run --secrets FILE`"


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


# -- the entry points ---------------------------------------------------------


def check_plan(plan: Plan, *, now: datetime) -> None:
    """Raise the first problem with ``plan`` (in script order), if any."""
    found = problems(plan, now=now)
    if found:
        raise found[0]


def problems(plan: Plan, *, now: datetime) -> list[ScriptError]:
    """Every problem with ``plan``, in script order, as ScriptErrors."""
    found = list(_expiries(plan, now))
    for check in _checks_for(plan):
        found.extend(check(plan))
    found.sort(key=lambda problem: (problem.follow_on, plan.line_of(problem.path)))
    return [ScriptError(p.what, where=plan.where(p.path), todo=p.todo) for p in found]


def refuse_secrets(top: Located) -> None:
    """Raise if the raw script holds anything that looks like a secret.

    A secret is any text or number (other than ``prompt``) under a field whose
    name has a word in SECRET_WORDS (``pin``, ``admin-password``...), or
    written as a ``passphrases`` entry. The error never repeats the value.
    """
    for name, located, parent in _every_field(top):
        if not _is_literal(located.value):
            continue
        if parent == "passphrases":
            raise located.error(
                "scripts never contain secrets, and this looks like a passphrase written out",
                f"Write prompt or {{env: VAR}} instead, or use `ceremony run --secrets FILE`, "
                "and treat that passphrase as exposed",
            )
        if parent == "pins":
            raise located.error(
                "scripts never contain secrets, and this looks like a PIN written out",
                "Write prompt or {env: VAR} instead, or use `ceremony run --secrets FILE`, "
                "and change that PIN on the token",
            )
        if located.value in NOT_SECRETS.get(name, ()):
            continue  # a setting (pin-policy: once), not a secret
        if SECRET_WORDS.intersection(re.split(r"[-_\s]+", name.lower())):
            raise located.error(
                "scripts never contain secrets, and this field looks like it holds one",
                "Delete it and treat that secret as exposed; give secrets at run time: "
                + _SECRET_TODO_RUN_TIME,
            )


def backend_problem(backend: str) -> tuple[str, str] | None:
    """What is wrong with a key backend name, and what to do; None when allowed."""
    if backend in SUPPORTED_BACKENDS:
        return None
    return (
        f"the backend {backend!r} is not one ceremony knows",
        "Use backend: software (the default), pkcs11 (an HSM or smart card) or yubikey",
    )


def _every_field(located: Located) -> Iterator[tuple[str, Located, str]]:
    """(field name, its value, the path of its mapping) for every mapping entry."""
    if isinstance(located.value, dict):
        for name, entry in located.entries():
            yield name, entry, located.path
            yield from _every_field(entry)
    elif isinstance(located.value, list):
        for item in located.items():
            yield from _every_field(item)


def _is_literal(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) or (isinstance(value, str) and value != "prompt")


# -- names, people and keys ---------------------------------------------------


def _names_defined_once(plan: Plan) -> Iterator[Problem]:
    holders = [holder.name for holder in plan.keyholders]
    yield from _listed_once(plan, "keyholders", "keyholder", holders, "List each keyholder once")
    keys = [key.name for key in plan.keys]
    yield from _listed_once(plan, "keys", "key", keys, "Give each key its own name")
    delegations = [delegation.name for delegation in plan.delegations]
    yield from _listed_once(
        plan, "delegations", "delegation", delegations, "Give each delegation its own name"
    )


def _listed_once(
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


def _holders_known(plan: Plan) -> Iterator[Problem]:
    holders = [holder.name for holder in plan.keyholders]
    for index, key in enumerate(plan.keys):
        if key.holder is None or key.holder in holders:
            continue
        todo = f"Add {{name: {key.holder}}} under keyholders"
        if holders:
            todo += f", or use one of: {', '.join(holders)}"
        yield Problem(f"keys[{index}].holder", f"no keyholder named {key.holder!r} is listed", todo)


def _algorithms_and_backends(plan: Plan) -> Iterator[Problem]:
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


def _passphrases_known(plan: Plan) -> Iterator[Problem]:
    script_keys = {key.name: key for key in plan.keys}
    for name, _source in plan.passphrases:
        path = f"passphrases.{name}"
        key = script_keys.get(name)
        if key is None and name not in plan.sign_with:
            where_from = "defined in this script"
            if plan.kind != "bootstrap":
                where_from += " or listed in sign-with"
            yield Problem(
                path,
                f"no key named {name!r} is {where_from}",
                "Remove the entry, or fix the key name",
            )
        elif key is not None and key.source == "import":
            yield Problem(
                path,
                f"{name!r} is an imported public key, so it has no passphrase here",
                "Remove the entry",
            )


def _keys_used(plan: Plan) -> Iterator[Problem]:
    used = {name for role in plan.roles for name in role.keys}
    used |= {name for delegation in plan.delegations for name in delegation.keys}
    user = "delegation" if plan.kind == "delegate" else "role"
    for index, key in enumerate(plan.keys):
        if key.name not in used:
            yield Problem(
                f"keys[{index}].name",
                f"the key {key.name!r} is not used by any {user}",
                f"Use it in a {user}, or remove it",
                follow_on=True,
            )


# -- roles --------------------------------------------------------------------


def _all_four_roles(plan: Plan) -> Iterator[Problem]:
    missing = [name for name in TOP_LEVEL_ROLES if plan.role(name) is None]
    if missing:
        yield Problem(
            "roles",
            f"a bootstrap makes all four top-level roles, and this script has no {_and(missing)}",
            "Add each under roles, with keys, a threshold and an expiry",
        )


def _some_roles(plan: Plan) -> Iterator[Problem]:
    if not plan.roles:
        yield Problem(
            "roles",
            "no role changes, so there is nothing to rotate",
            "List the roles that change, e.g. root: {keys: [...], threshold: 2, expires: 1y}",
        )


def _role_signers(plan: Plan) -> Iterator[Problem]:
    defined = {key.name for key in plan.keys}
    for role in plan.roles:
        path = f"roles.{role.name}"
        yield from _signer_problems(path, role.keys, role.threshold)
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


def _signer_problems(path: str, keys: tuple[str, ...], threshold: int) -> Iterator[Problem]:
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
            f"Write how many of the {_keys(count)} must sign, from 1 to {max(count, 1)}",
        )
    elif threshold > count:
        yield Problem(
            f"{path}.threshold",
            f"the threshold is {threshold} but there {'is' if count == 1 else 'are'} only "
            f"{_keys(count)}, so it could never be met",
            f"Lower the threshold to at most {count}, or add keys",
        )


def _root_threshold(plan: Plan) -> Iterator[Problem]:
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
            f"the root threshold is {count} of {_keys(count)}, so losing any one root key "
            "would lock the root for good",
            "Add a spare root key or lower the threshold; if you mean it, add spare-keys: none",
        )
    elif 1 <= root.threshold < count and plan.spare_keys == "none":
        yield Problem(
            "spare-keys",
            "this says the root has no spare key, but its threshold is "
            f"{root.threshold} of {count} keys",
            "Remove spare-keys",
        )


def _root_keys_made_here(plan: Plan) -> Iterator[Problem]:
    """Root keys this script brings must be made here and kept by someone."""
    root = plan.role("root")
    if root is None:
        return
    for index, key in enumerate(plan.keys):
        if key.name not in root.keys:
            continue
        if key.source != "generate":
            yield Problem(
                f"keys[{index}].import",
                f"{key.name!r} is a root key, and root keys are made during the ceremony, "
                "not imported",
                "Remove import: and give the key an algorithm and a holder",
            )
        elif key.holder is None:
            yield Problem(
                f"keys[{index}].holder",
                f"the root key {key.name!r} has no holder",
                "Add holder: the keyholder who keeps it",
            )


def _one_role_per_key(plan: Plan) -> Iterator[Problem]:
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


def _root_outlives_roles(plan: Plan) -> Iterator[Problem]:
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


def _expiries(plan: Plan, now: datetime) -> Iterator[Problem]:
    field = "replace" if plan.kind == "recover" else "roles"  # a recovery's roles: replace
    dated = [(f"{field}.{role.name}.expires", role.expires) for role in plan.roles]
    if plan.targets_expires is not None:
        dated.append(("targets-expires", plan.targets_expires))
    for path, expires in dated:
        if expires <= now:
            yield Problem(
                path,
                f"this expiry, {format_expiry(expires)}, is not in the future "
                f"(it is now {format_expiry(now)})",
                "Give a later date, or a length from now such as 90d",
            )


# -- signing and delegating ---------------------------------------------------


def _sign_with(plan: Plan) -> Iterator[Problem]:
    if not plan.sign_with:
        yield Problem(
            "sign-with",
            "no keys are listed to sign",
            "Name the current keys whose holders are here today, e.g. [root-alice, root-carol]",
        )
    defined = {key.name for key in plan.keys}
    for index, name in enumerate(plan.sign_with):
        path = f"sign-with[{index}]"
        if name in plan.sign_with[:index]:
            yield Problem(path, f"{name!r} is listed twice", "List each key once")
        elif name in defined:
            yield Problem(
                path,
                f"{name!r} is a key this script brings, but sign-with names keys of the "
                "current bundle",
                _SIGN_WITH_TODO[plan.kind],
            )


def _delegations(plan: Plan) -> Iterator[Problem]:
    if not plan.delegations:
        yield Problem(
            "delegations", "no delegations are listed", "List at least one delegated role"
        )
    for index, delegation in enumerate(plan.delegations):
        path = f"delegations[{index}]"
        if delegation.name in TOP_LEVEL_ROLES:
            yield Problem(
                f"{path}.name",
                f"{delegation.name!r} is a top-level role, not a delegated one",
                "Give the delegated role its own name, e.g. alpine",
            )
        yield from _signer_problems(path, delegation.keys, delegation.threshold)
        if not delegation.paths:
            yield Problem(
                f"{path}.paths",
                "no paths are listed, so the delegation could sign nothing",
                'List the target paths it may sign, e.g. ["alpine/*"]',
            )


# -- small words --------------------------------------------------------------


def _keys(count: int) -> str:
    return "1 key" if count == 1 else f"{count} keys"


def _and(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


_SIGN_WITH_TODO = {
    "rotate-root": "Remove it: root keys made today sign the new root without being listed",
    "delegate": (
        "Remove it: sign-with names the current targets key, which signs the new targets.json"
    ),
}
def _custody(plan: Plan) -> Iterator[Problem]:
    """custody, recover-from and replace: custody_checks.py."""
    from ceremony.script.custody_checks import custody_problems

    yield from custody_problems(plan)


def _hardware(plan: Plan) -> Iterator[Problem]:
    """tokens named by keys and pins: hardware_checks.py."""
    from ceremony.script.hardware_checks import hardware_problems

    yield from hardware_problems(plan)


_COMMON = (
    _names_defined_once,
    _holders_known,
    _algorithms_and_backends,
    _passphrases_known,
    _keys_used,
    _custody,
    _hardware,
)
_ROOT = (
    _role_signers,
    _root_threshold,
    _root_keys_made_here,
    _one_role_per_key,
    _root_outlives_roles,
)
_CHECKS = {
    "bootstrap": _COMMON + (_all_four_roles,) + _ROOT,
    "rotate-root": _COMMON + (_some_roles,) + _ROOT + (_sign_with,),
    "delegate": _COMMON + (_sign_with, _delegations),
    "recover": _COMMON,
}


def _checks_for(plan: Plan) -> tuple:
    """The checks of ``plan``'s kind; a dct plan's live in dct_checks.py."""
    if plan.flavor == "dct":
        from ceremony.flavors.dct.checks import dct_checks

        return dct_checks(plan)
    return _CHECKS[plan.kind]
