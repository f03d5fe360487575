"""rotate-root: the next root version, signed by the old root and the new.

From the current bundle's newest root, version N+1 adds, removes or
replaces root and role keys and changes thresholds and expiries. It must be
signed by a threshold of version N's root keys AND a threshold of its own.
When the targets key changes and the new one is made here, targets.json is
signed again by it; otherwise the online system must sign a new one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

# python-tuf documents these as tuf.api.metadata's API but lists no __all__:
# mypy's strict re-export rule cannot see them as exported
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.events import Warning as WarningEvent
from ceremony.flavors.tuf.current import current_bundle
from ceremony.flavors.tuf.kinds.bootstrap import sign_targets
from ceremony.script.plan import Plan
from ceremony.steps import common
from ceremony.steps import custody as custody_steps
from ceremony.tufmeta.metadata import metadata_bytes
from ceremony.tufmeta.signing import SignerGroup, build_and_sign
from ceremony.tufmeta.summary import summarize
from ceremony.tufmeta.work import tuf_key, work


def build_root(ctx: Context) -> Iterator[Event]:
    old = current_bundle(ctx).root_signed
    yield from sign_next_root(ctx, old, planned_root(ctx))


def planned_root(ctx: Context) -> Root:
    """The next root version as the script says, unsigned (its keys known to ``ctx``)."""
    new = next_root(current_bundle(ctx).root_signed)
    for role in ctx.plan.roles:
        for keyid in list(new.roles[role.name].keyids):
            new.revoke_key(keyid, role.name)
        for name in role.keys:
            new.add_key(tuf_key(ctx.keys[name]), role.name)
        new.roles[role.name].threshold = role.threshold
        if role.name == "root":
            new.expires = role.expires
    return new


def next_root(old: Root) -> Root:
    """A copy of ``old`` with the next version number, to be changed and signed."""
    new = Root.from_dict(copy.deepcopy(old.to_dict()))
    new.version = old.version + 1
    return new


def sign_next_root(ctx: Context, old: Root, new: Root) -> Iterator[Event]:
    """Sign ``new`` by a threshold of ``old``'s root keys and of its own."""
    md = Metadata(new)
    groups = [SignerGroup("old", old, "root"), SignerGroup("new", new, "root")]
    yield from build_and_sign(ctx, md, groups)
    work(ctx).root = md
    work(ctx).root_bytes = metadata_bytes(md)


def carry_targets(ctx: Context) -> Iterator[Event]:
    bundle = current_bundle(ctx)
    current = bundle.targets
    if current is None:
        return
    old_role = bundle.root_signed.roles["targets"]
    new_root = work(ctx).root_signed
    if set(new_root.roles["targets"].keyids) == set(old_role.keyids) and (
        new_root.roles["targets"].threshold == old_role.threshold
    ):
        work(ctx).targets = current
        return
    local = [
        record
        for k in new_root.roles["targets"].keyids
        if (record := ctx.key_by_keyid(k)) and record.signer is not None
    ]
    if not local:
        yield WarningEvent(
            "the targets keys changed and none of the new ones is here: targets.json is left "
            "out of this bundle; the online system must sign a new one"
        )
        return
    targets = Targets.from_dict(copy.deepcopy(current.signed.to_dict()))
    targets.version += 1
    role = ctx.plan.role("targets")
    if role is not None:
        targets.expires = role.expires
    yield from sign_targets(ctx, targets)


def open_root_keys_step() -> Step:
    return Step(
        "open-keys",
        "Open the current root keys that sign today",
        common.open_signing_keys,
        say_aloud="Each keyholder named, in turn, types their passphrase.",
    )


def steps(plan: Plan) -> list[Step]:
    return [
        common.preflight_step(),
        open_root_keys_step(),
        Step(
            "new-keys",
            "Make or import the new keys",
            common.make_keys,
            check_by_eye="Each new keyholder writes down the short key id shown for their key.",
        ),
        Step(
            "root-metadata",
            "Build and sign the next root version",
            build_root,
            check_by_eye="Both thresholds, current root and new root, show as met.",
        ),
        Step("targets-metadata", "Carry or re-sign targets", carry_targets),
        *custody_steps.steps(plan),  # only when the script has custody:
        common.write_media_step(),
        Step("summary", "Summary", summarize),
    ]
