"""The end of a TUF-signing ceremony: what was made, in a form people read aloud."""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.events import Event
from ceremony.tufmeta.work import work


def summarize(ctx: Context) -> Iterator[Event]:
    root = work(ctx).root_signed
    roles: dict[str, dict[str, object]] = {}
    for name, role in root.roles.items():
        roles[name] = {
            "threshold": role.threshold,
            "keys": [
                f"{record.name} {k[:8]}" if (record := ctx.key_by_keyid(k)) else k[:8]
                for k in role.keyids
            ],
        }
    ctx.summary = {
        "root_version": root.version,
        "root_expires": root.expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "roles": roles,
    }
    if ctx.custody is not None:  # kinds/custody_steps.py
        ctx.summary["custody"] = ctx.custody.summary()
    targets_md = work(ctx).targets
    if targets_md is not None:
        targets = targets_md.signed
        ctx.summary["targets_version"] = targets.version
        ctx.summary["targets_expires"] = targets.expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        if targets.delegations and targets.delegations.roles:
            ctx.summary["delegations"] = sorted(targets.delegations.roles)
    return iter(())
