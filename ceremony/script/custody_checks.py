"""Whether a script's custody, recover-from and replace fields make sense.

checks.py runs these with the other semantic checks: a share plan SLIP-39
can make (m of n, groups), custodians that match the shares, two or more
media for the bundle and never the sheets among them, every risk of a
passphrase-only bundle accepted by name, and, for a recovery, replaced
roles that get new keys made or imported here. Like checks.py it reads only
the Plan; the media themselves are checked by preflight.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ceremony.script.custody_fields import RISKS
from ceremony.script.plan import CustodySpec, Plan
from ceremony.script.recover_checks import recover_action_problems
from ceremony.script.rules import Problem, signer_problems

MAX_SHARES = 16  # SLIP-39: at most 16 groups, 16 members each


def custody_problems(plan: Plan) -> Iterator[Problem]:
    if plan.custody is not None:
        yield from _media(plan.custody)
        if plan.custody.mode == "passphrase-only":
            yield from _risks(plan.custody)
        else:
            yield from _share_plan(plan.custody)
            yield from _custodians(plan.custody)
    if plan.kind == "recover":
        yield from _replace(plan)
        yield from _recover_from(plan)
        yield from recover_action_problems(plan)  # replace.root and rehome


# -- media and sheets -----------------------------------------------------------


def _media(custody: CustodySpec) -> Iterator[Problem]:
    if len(custody.media) < 2:
        yield Problem(
            "custody.media",
            "a custody bundle is written to two or more media, and this lists "
            f"{len(custody.media)}",
            "Add a second folder, on another removable medium",
        )
    for index, path in enumerate(custody.media):
        if path in custody.media[:index]:
            first = custody.media.index(path)
            yield Problem(
                f"custody.media[{index}]",
                f"the same folder as custody.media[{first}], so it would not be a second copy",
                "Name a folder on another removable medium",
            )
    if custody.sheets is None:
        return
    for index, path in enumerate(custody.media):
        if _overlap(custody.sheets, path):
            yield Problem(
                "custody.sheets",
                f"the share sheets' folder and custody.media[{index}] lie one inside "
                "the other; a share never goes on the same medium as the bundle",
                "Name a folder on a medium of its own for the sheets",
            )


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


# -- shares ---------------------------------------------------------------------


def _share_plan(custody: CustodySpec) -> Iterator[Problem]:
    grouped = len(custody.groups) > 1 or custody.group_threshold != 1
    if not 1 <= len(custody.groups) <= MAX_SHARES:
        yield Problem(
            "custody.shares.groups",
            f"SLIP-39 makes 1 to {MAX_SHARES} groups, and this lists {len(custody.groups)}",
            "List between 1 and 16 groups",
        )
        return
    if not 1 <= custody.group_threshold <= len(custody.groups):
        yield Problem(
            "custody.shares.groups-needed",
            f"{custody.group_threshold} groups needed, but there "
            f"{'is' if len(custody.groups) == 1 else 'are'} {len(custody.groups)}",
            f"Write a number from 1 to {len(custody.groups)}",
        )
    for index, (threshold, count) in enumerate(custody.groups):
        path = f"custody.shares.groups[{index}]" if grouped else "custody.shares"
        if not 1 <= count <= MAX_SHARES:
            yield Problem(
                f"{path}.of",
                f"SLIP-39 makes 1 to {MAX_SHARES} shares{' in a group' if grouped else ''}, "
                f"not {count}",
                f"Write a number from 1 to {MAX_SHARES}",
            )
        elif not 1 <= threshold <= count:
            yield Problem(
                f"{path}.threshold",
                f"the threshold is {threshold} of {count} shares, so it could never be met"
                if threshold > count else f"the threshold must be at least 1, got {threshold}",
                f"Write how many of the {count} shares recover the bundle, from 1 to {count}",
            )
        elif threshold == 1 and count > 1:
            yield Problem(
                f"{path}.threshold",
                f"1 of {count}: SLIP-39 does not make several shares any one of which "
                "recovers the bundle, and one custodian alone should not",
                f"Raise the threshold, or write 1 of 1 and keep {count} copies of that sheet",
            )


def _custodians(custody: CustodySpec) -> Iterator[Problem]:
    names = custody.custodians
    if not names:
        return
    total = custody.share_count
    if len(names) != total:
        yield Problem(
            "custody.custodians",
            f"{len(names)} custodians are listed for {total} shares",
            f"List one custodian per share, {total} in all (group 1's first), or remove the list",
        )
    for index, name in enumerate(names):
        if name in names[:index]:
            yield Problem(
                f"custody.custodians[{index}]",
                f"{name!r} is listed twice, and a custodian holds one share",
                "List each custodian once",
            )


def _risks(custody: CustodySpec) -> Iterator[Problem]:
    accepted = custody.accepted_risks
    for index, risk in enumerate(accepted):
        if risk in accepted[:index]:
            yield Problem(f"custody.accept-risks[{index}]", f"{risk!r} is listed twice",
                           "List each risk once")
    missing = [risk for risk in RISKS if risk not in accepted]
    if missing:
        yield Problem(
            "custody.accept-risks",
            "a passphrase-only custody bundle is used only when every one of its risks is "
            f"accepted, and this does not accept {', '.join(missing)}",
            "Read each risk in docs/reference/scripts.md, then add it to accept-risks, or use "
            "shares instead",
        )


# -- recover --------------------------------------------------------------------


def _replace(plan: Plan) -> Iterator[Problem]:
    if not plan.roles and "replace" in plan.lines:
        yield Problem(
            "replace", "no role is listed, so there is nothing to replace",
            "List the roles whose keys are lost, e.g. targets: {keys: [targets-2], "
            "threshold: 1, expires: 180d}",
        )
    defined = {key.name for key in plan.keys}
    owner: dict[str, str] = {}
    for role in plan.roles:
        path = f"replace.{role.name}"
        yield from signer_problems(path, role.keys, role.threshold)
        for index, name in enumerate(role.keys):
            first = owner.setdefault(name, role.name)
            if first != role.name:
                yield Problem(
                    f"{path}.keys[{index}]", f"{name!r} is already a new key of {first}",
                    "Use a separate key for each role",
                )
            if name not in defined:
                yield Problem(
                    f"{path}.keys[{index}]",
                    f"no key named {name!r} is defined in this script, and a replaced role "
                    "gets new keys only",
                    "Define the new key under keys (made here, or imported from the online "
                    "system)",
                )


def _recover_from(plan: Plan) -> Iterator[Problem]:
    spec = plan.recover_from
    if spec is None:
        return
    if not spec.copies:
        yield Problem("recover-from.copies", "no copy of the custody bundle is listed",
                       "List the folders of the copies you have, e.g. [/media/custody-a]")
    for index, path in enumerate(spec.copies):
        if path in spec.copies[:index]:
            yield Problem(f"recover-from.copies[{index}]", "this folder is listed twice",
                           "List each copy once")
    if spec.slip39_passphrase is not None and spec.passphrase is not None:
        yield Problem(
            "recover-from.passphrase",
            "a custody bundle has shares with an optional SLIP-39 passphrase, or one "
            "passphrase and no shares, never both",
            "Keep the one the custody bundle needs (its custody.json says which)",
        )
