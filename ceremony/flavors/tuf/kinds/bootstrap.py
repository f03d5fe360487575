"""bootstrap: a new root, version 1, and the keys of the four top-level roles.

Root keys are made here and stored encrypted for their keyholders. Targets,
snapshot and timestamp keys are made here (stored encrypted for the online
system) or imported as public keys. When the targets key is made here, it
also signs an empty targets.json version 1.
"""

from __future__ import annotations

from collections.abc import Iterator

# python-tuf documents these as tuf.api.metadata's API but lists no __all__:
# mypy's strict re-export rule cannot see them as exported
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.script.plan import Plan
from ceremony.steps import common
from ceremony.steps import custody as custody_steps
from ceremony.tufmeta.metadata import metadata_bytes
from ceremony.tufmeta.signing import SignerGroup, build_and_sign
from ceremony.tufmeta.summary import summarize
from ceremony.tufmeta.work import tuf_key, work


def build_root(ctx: Context) -> Iterator[Event]:
    plan = ctx.plan
    root_role = plan.role("root")
    assert root_role is not None  # a bootstrap script names all four roles
    root = Root(
        version=1,
        expires=root_role.expires,
        consistent_snapshot=True,
    )
    for role in plan.roles:
        for name in role.keys:
            root.add_key(tuf_key(ctx.keys[name]), role.name)
        root.roles[role.name].threshold = role.threshold
    md = Metadata(root)
    signed = yield from build_and_sign(ctx, md, [SignerGroup("new", root, "root")])
    work(ctx).root = md
    work(ctx).root_bytes = metadata_bytes(md, signed)


def build_targets(ctx: Context) -> Iterator[Event]:
    root = work(ctx).root_signed
    local = [  # every key of the new root is one this ceremony made or imported
        record
        for keyid in root.roles["targets"].keyids
        if (record := ctx.key_by_keyid(keyid)) is not None and record.signer is not None
    ]
    if not local:
        return
    targets_role = ctx.plan.role("targets")
    assert targets_role is not None  # a bootstrap script names all four roles
    yield from sign_targets(ctx, Targets(version=1, expires=targets_role.expires))


def sign_targets(ctx: Context, targets: Targets) -> Iterator[Event]:
    """Sign ``targets`` with the targets keys of the root this ceremony signs;
    it becomes the bundle's targets.json."""
    md = Metadata(targets)
    yield from build_and_sign(ctx, md, [SignerGroup("targets", work(ctx).root_signed, "targets")])
    work(ctx).targets = md
    work(ctx).targets_bytes = metadata_bytes(md)


def steps(plan: Plan) -> list[Step]:
    return [
        common.preflight_step(),
        Step(
            "root-keys",
            "Make the root keys",
            lambda ctx: common.make_keys(ctx, only_roles={"root"}),
            say_aloud="Each keyholder, when called, types a new passphrase twice (for a key "
            "on a token: the token's PIN, once).",
            check_by_eye="Each keyholder writes down the short key id shown for their key.",
        ),
        Step(
            "online-keys",
            "Make or import the targets, snapshot and timestamp keys",
            common.make_keys,
            say_aloud="Read aloud the short id of every imported key; the online team confirms it.",
        ),
        Step(
            "root-metadata",
            "Build and sign root version 1",
            build_root,
            check_by_eye="The root threshold on screen is the one in the reviewed script.",
        ),
        Step("targets-metadata", "Sign targets version 1", build_targets),
        *custody_steps.steps(plan),  # only when the script has custody:
        common.write_media_step(),
        Step("summary", "Summary", summarize),
    ]
