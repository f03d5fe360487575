"""Preflight's recoverability check: the table of losses, and the refusal.

preflight() calls :func:`check_recoverability` once the flavor has read the
state the plan builds on, for every flavor alike: the planned root's keys
come from the script (keys made today) and from the current state's key
records (keys kept), and script/recoverability.py judges them. Three lines
are added: ``recoverability`` (the table, always), ``one loss`` (a production
root that one lost token or keyholder locks, or whose custody can never
recover it, fails unless the script says ``accept-risk:``) and ``accepted
risk`` (the script's words, so the transcript records them). Nothing is
opened: public facts only.
"""

from __future__ import annotations

from ceremony.engine.current import CurrentState
from ceremony.engine.keyring import KeyRecord, kept_by_holder
from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.tokens import token_of_location
from ceremony.errors import CeremonyError
from ceremony.script.plan import Plan
from ceremony.script.recoverability import (
    Recoverability,
    RootKey,
    judge,
    planned_root_keys,
    refusal,
    risk_words,
    table_lines,
)


def recoverability(plan: Plan, current: CurrentState | None) -> Recoverability | None:
    """The table for ``plan``'s new root (None: it signs no new root)."""
    known = {name: root_key(record) for name, record in current.keys.items()} if current else None
    planned = planned_root_keys(plan, known)
    if planned is None:
        return None
    keys, threshold = planned
    return judge(keys, threshold, plan.custody)


def root_key(record: KeyRecord) -> RootKey:
    """What a current key's record says of where it lives."""
    token = ""
    if record.location.startswith("pkcs11:"):
        try:
            token = token_of_location(record.location, record.backend).name
        except CeremonyError:
            token = "its token"
    backups = []
    for uri in record.backups:
        try:
            backups.append(token_of_location(uri, "pkcs11").name)
        except CeremonyError:
            backups.append("a backup token")
    return RootKey(
        name=record.name, holder=record.holder, token=token,
        key_file=bool(record.stored_path), backups=tuple(backups),
        with_holder=kept_by_holder(record),
    )


def check_recoverability(plan: Plan, result: PreflightResult) -> None:
    """Add the table and the verdict to ``result``."""
    if plan.role("root") is not None and plan.current is not None and result.current is None:
        result.add("recoverability", None, "not judged: the current bundle could not be read")
        return
    table = recoverability(plan, result.current)
    if table is None:
        if plan.accept_risk is not None:
            result.add("accepted risk", "accept-risk: is about a new root's recoverability, and "
                       "this script signs no new root; remove it")
        return
    result.recoverability = table
    result.add("recoverability", None, "\n      ".join(table_lines(table)))
    _check_custody_holds_a_root_key(plan, table, result)
    if not table.fragile:
        result.add("one loss", None, "the root can still be signed after losing any one "
                   "token or keyholder" + ("" if table.custody is None else
                                           ", and custody alone can sign it"))
    elif plan.accept_risk is not None:
        result.add("one loss", None, "the script accepts the risk (below): " + risk_words(table))
    elif plan.rehearsal:
        result.add("one loss", None, "a rehearsal, so not refused: " + risk_words(table))
    else:
        result.add("one loss", refusal(table))
    if plan.accept_risk is not None:
        result.add("accepted risk", None, plan.accept_risk)


def _check_custody_holds_a_root_key(
    plan: Plan, table: Recoverability, result: PreflightResult
) -> None:
    """Custody seals the root keys whose private part is in memory today (a recovery's
    come out of custody, so it always has some); with none, the ceremony would
    make every key and then stop at the custody step: refuse it here instead."""
    if plan.custody is None or plan.kind == "recover" or any(k.in_custody for k in table.keys):
        return
    made = {spec.name: spec for spec in plan.keys}
    why: dict[str, list[str]] = {}
    for key in table.keys:
        if key.token:
            reason = "made on a token" if key.name in made else "on a token"
        elif key.name in made:
            reason = "imported as a public key"
        else:
            reason = "not opened today (not in sign-with)"
        why.setdefault(reason, []).append(key.name)
    words = [f"{_listed(names)} {'is' if len(names) == 1 else 'are'} {reason}"
             for reason, names in why.items()]
    result.add(
        "custody",
        "no root key of the new root would go into custody, so the custody bundle would "
        f"hold nothing to recover the root with: {_listed(words)}. Custody seals only the root "
        "keys whose private part is in memory (made in software today, or opened today "
        "from the current bundle's key files); a key made on a token never leaves it. "
        "Remove custody: from the script (a token key's backup is another token: "
        "backup-tokens:), or make at least a threshold of root keys in software",
    )


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
