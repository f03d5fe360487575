"""The checks of a TUF script, by kind (``TufFlavor.script_checks``).

Beyond the rules every flavor shares (script/rules.py): all four top-level
roles in a bootstrap, at least one role in a rotation, sign-with naming
keys of the current bundle, delegations that can sign, and every key used.
What needs the current bundle (names in roles, delegations and sign-with
that this script does not define; thresholds sign-with must reach) is
preflight's.
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.script import rules
from ceremony.script.custody_checks import custody_problems
from ceremony.script.hardware_checks import hardware_problems
from ceremony.script.plan import TOP_LEVEL_ROLES, Plan
from ceremony.script.rules import Problem, listed_once, or_list, signer_problems
from ceremony.script.yamlload import NAME_MAX

#: a delegated role's metadata file on the repository is VERSION.NAME.json (every root
#: this tool makes has consistent snapshots), its version of up to 9 digits as the
#: bundle's own versioned files, and a file name holds at most 255 bytes
DELEGATION_NAME_MAX = NAME_MAX - len("123456789.")


def delegations_once(plan: Plan) -> Iterator[Problem]:
    delegations = [delegation.name for delegation in plan.details.delegations]
    yield from listed_once(
        plan, "delegations", "delegation", delegations, "Give each delegation its own name"
    )


def passphrases_known(plan: Plan) -> Iterator[Problem]:
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


def keys_used(plan: Plan) -> Iterator[Problem]:
    used = {name for role in plan.roles for name in role.keys}
    used |= {name for delegation in plan.details.delegations for name in delegation.keys}
    user = "delegation" if plan.kind == "delegate" else "role"
    yield from rules.unused_keys(plan, used, user)


def all_four_roles(plan: Plan) -> Iterator[Problem]:
    missing = [name for name in TOP_LEVEL_ROLES if plan.role(name) is None]
    if missing:
        yield Problem(
            "roles",
            "a bootstrap makes all four top-level roles, and this script has no "
            f"{or_list(missing)}",
            "Add each under roles, with keys, a threshold and an expiry",
        )


def some_roles(plan: Plan) -> Iterator[Problem]:
    if not plan.roles:
        yield Problem(
            "roles",
            "no role changes, so there is nothing to rotate",
            "List the roles that change, e.g. root: {keys: [...], threshold: 2, expires: 1y}",
        )


def sign_with(plan: Plan) -> Iterator[Problem]:
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


def destroy_listed(plan: Plan) -> Iterator[Problem]:
    """decommission: each key to destroy named once, none brought by the script."""
    from ceremony.script.destroy_checks import destroy_problems

    return destroy_problems(plan)


def delegations(plan: Plan) -> Iterator[Problem]:
    if not plan.details.delegations:
        yield Problem(
            "delegations", "no delegations are listed", "List at least one delegated role"
        )
    for index, delegation in enumerate(plan.details.delegations):
        path = f"delegations[{index}]"
        if delegation.name in TOP_LEVEL_ROLES:
            yield Problem(
                f"{path}.name",
                f"{delegation.name!r} is a top-level role, not a delegated one",
                "Give the delegated role its own name, e.g. alpine",
            )
        elif len(delegation.name) > DELEGATION_NAME_MAX:
            yield Problem(
                f"{path}.name",
                f"the name {delegation.name[:16]!r}... is {len(delegation.name)} characters "
                "long: TUF clients fetch the role's metadata as VERSION.NAME.json (up to "
                "123456789.NAME.json) and a file name holds at most 255, so the repository "
                "could not publish it",
                f"Use a name of at most {DELEGATION_NAME_MAX} characters",
            )
        yield from signer_problems(path, delegation.keys, delegation.threshold)
        if not delegation.paths:
            yield Problem(
                f"{path}.paths",
                "no paths are listed, so the delegation could sign nothing",
                'List the target paths it may sign, e.g. ["alpine/*"]',
            )
        for number, pattern in enumerate(delegation.paths):
            if "" in pattern.split("/"):
                yield Problem(
                    f"{path}.paths[{number}]",
                    f"{pattern!r} matches no target: TUF clients match a pattern part by "
                    "part between the slashes, and a target path (relative, like "
                    "alpine/v3/x.apk) has no empty part",
                    f"Write {_without_empty_parts(pattern)!r}; a * stays within one part, so "
                    'list a pattern per level below a folder, e.g. ["alpine/*", "alpine/*/*"]',
                )


def _without_empty_parts(pattern: str) -> str:
    """``pattern`` as a target path could match it: a trailing slash (a folder, as
    Docker Content Trust's prefixes write it) names the files in it."""
    parts = [part for part in pattern.split("/") if part]
    return "/".join([*parts, "*"] if pattern.endswith("/") else parts)


_SIGN_WITH_TODO = {
    "rotate-root": "Remove it: root keys made today sign the new root without being listed",
    "delegate": (
        "Remove it: sign-with names the current targets key, which signs the new targets.json"
    ),
    "renew": "Remove it: a renewal keeps the current keys, so it brings none",
    "decommission": "Remove it: a decommission brings no keys",
}
_COMMON = (
    rules.keyholders_and_keys_once,
    delegations_once,
    rules.holders_known,
    rules.algorithms_and_backends,
    passphrases_known,
    keys_used,
    custody_problems,
    hardware_problems,
)
_ROOT = (
    rules.role_signers,
    rules.root_threshold,
    rules.root_keys_made_here,
    rules.one_role_per_key,
    rules.root_outlives_roles,
)
CHECKS = {
    "bootstrap": _COMMON + (all_four_roles,) + _ROOT,
    "rotate-root": _COMMON + (some_roles,) + _ROOT + (sign_with,),
    "delegate": _COMMON + (sign_with, delegations),
    "recover": _COMMON,
    "renew": _COMMON + (sign_with,),
    "decommission": _COMMON + (sign_with, destroy_listed),
}
