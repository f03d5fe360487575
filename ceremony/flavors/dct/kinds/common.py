"""What every Docker Content Trust kind shares beyond the steps of every flavor.

The preflight, key-opening and sealing steps are the shared ones
(steps/common.py); here are DCT's own: the repository keys made for CI per
GUN, the key made from a script key for one GUN, the events that say what
was signed for each GUN, and the summary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping

from ceremony import events
from ceremony.engine.context import Context
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.step import Step
from ceremony.errors import CeremonyError
from ceremony.events import Event, MetadataBuilt, Progress, SignatureAdded, ThresholdMet
from ceremony.flavors.dct.keys import DctRun, generate_exported_keys
from ceremony.flavors.dct.notary.keyids import canonical_keyid
from ceremony.flavors.dct.notary.model import (
    Metadata,
    Root,
    SignedT,
    Targets,
)
from ceremony.flavors.dct.notary.repository import GunUpdate
from ceremony.flavors.dct.notary.signature_checks import refuse_bad_signatures, role_keys
from ceremony.flavors.dct.plan import dct_spec
from ceremony.flavors.dct.shared_reading import read_shared as read_shared
from ceremony.flavors.dct.state import DctState, GunState, check_targets
from ceremony.script.plan import KeySpec, Plan, RoleSpec
from ceremony.steps.common import make_keys
from ceremony.threshold import threshold_result

# -- keys -----------------------------------------------------------------------


def required_role(plan: Plan, name: str) -> RoleSpec:
    """The script's role ``name``, which the kind's script checks made it give."""
    role = plan.role(name)
    if role is None:
        raise CeremonyError(
            f"the script gives no roles.{name}, which this kind needs",
            todo="this is a fault in the tool: the script checks should have said so",
        )
    return role


def script_keys(plan: Plan, role: str) -> list[KeySpec]:
    role_spec = plan.role(role)
    names = role_spec.keys if role_spec is not None else ()
    return [spec for spec in plan.keys if spec.name in names]


def make_root_keys(ctx: Context) -> Iterator[Event]:
    """The script's root keys, made in software or on their tokens."""
    yield from make_keys(ctx, only_roles={"root"})


def make_repository_keys(ctx: Context) -> Iterator[Event]:
    """New targets keys (and offline snapshot keys): per GUN or shared, exported for CI."""
    plan, state = ctx.plan, current(ctx)
    guns = list(state.scope) if dct_spec(plan).repository_keys == "per-gun" else None
    for role in ("targets", "snapshot"):
        for spec in script_keys(plan, role):
            yield from generate_exported_keys(ctx, spec, role=role, guns=guns)


def key_for(ctx: Context, spec_name: str, gun: str) -> KeyRecord:
    """The key made from script key ``spec_name`` for ``gun`` (per GUN or shared)."""
    name = work(ctx).per_gun.get(spec_name, {}).get(gun, spec_name)
    return ctx.keys[name]


def current(ctx: Context) -> DctState:
    """The DCT state the ceremony builds on (``ctx.current``, which preflight set)."""
    state = ctx.current
    if not isinstance(state, DctState):
        raise CeremonyError(
            "the Docker Content Trust state was not read before the ceremony began",
            todo="this is a fault in the tool",
        )
    return state


def work(ctx: Context) -> DctRun:
    """What the DCT ceremony is building (``ctx.work``)."""
    run: DctRun = ctx.work
    return run


# -- what was signed, checked before anything is written ------------------------------


def check_targets_signed(state: GunState, targets: Metadata[Targets]) -> None:
    """A targets.json a dct kind signed for ``state``'s GUN: its root's targets
    threshold is met (state.py's check) and not one of its signatures is bad
    (a faulty key's extra signature is never published); else a DctError
    naming the key."""
    result = check_targets(state, targets)
    keys = role_keys(state.root.signed, "targets")
    refuse_bad_signatures(targets, keys, "targets", state.gun, counted=result.have)


# -- events about what was signed ---------------------------------------------------


def signature_events(
    gun: str, role: str, metadata: Metadata[SignedT], names: dict[str, str]
) -> Iterator[Event]:
    """One SignatureAdded per signature on ``metadata`` (keyids named by ``names``)."""
    version = metadata.signed.version
    for signature in metadata.signatures:
        key = names.get(signature.keyid, signature.keyid[:8])
        yield SignatureAdded(
            role=f"{role} of {gun}", version=version, key=key, keyid=signature.keyid
        )


def threshold_event(
    gun: str,
    role: str,
    metadata: Metadata[SignedT],
    group: str,
    keyids: Iterable[str],
    need: int,
) -> ThresholdMet:
    """The count of signatures from ``keyids`` (already verified by the format layer)."""
    counted = threshold_result(keyids, need, {s.keyid for s in metadata.signatures})
    return ThresholdMet(
        role=f"{role} of {gun}",
        version=metadata.signed.version,
        group=group,
        have=counted.have,
        need=counted.need,
    )


def key_names(ctx: Context) -> dict[str, str]:
    """The ceremony's key names by their (canonical) key ids, for
    :func:`names_by_keyid`: made once for a loop over GUNs that adds no key."""
    return {r.keyid: r.name for r in ctx.keys.values()}


def names_by_keyid(
    ctx: Context, gun: str, root: Root, known: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Key names by the ids a GUN's root uses (x509 ids for root keys); ``known``:
    :func:`key_names`, when the caller made it for every GUN."""
    by_canonical = key_names(ctx) if known is None else known
    return {
        keyid: by_canonical.get(canonical_keyid(key), keyid[:8]) for keyid, key in root.keys.items()
    }


def build_guns(ctx: Context, update_of: Callable[[Context, str], GunUpdate]) -> Iterator[Event]:
    """Each GUN in scope's next root, as ``update_of`` makes it, with what it holds."""
    run, state = work(ctx), current(ctx)
    total = len(state.scope)
    for done, gun in enumerate(state.scope, start=1):
        previous = state.guns[gun].root.signed
        update = update_of(ctx, gun)
        run.updates[gun] = update
        yield from update_events(ctx, gun, update, previous)
        yield Progress(step="gun-metadata", done=done, total=total, what=gun)


def update_events(
    ctx: Context, gun: str, update: GunUpdate, previous: Root | None = None,
    known: Mapping[str, str] | None = None,
) -> Iterator[Event]:
    """What ``update`` holds for ``gun``, file by file: built, signed by whom, and
    the thresholds met: the new root's, and ``previous``'s too for a new root.
    ``known``: :func:`key_names`, when the caller made it once for every GUN."""
    root = read_shared(update.files["root"], Root)
    known = key_names(ctx) if known is None else known
    names = names_by_keyid(ctx, gun, root.signed, known)
    if previous is not None:
        names = names_by_keyid(ctx, gun, previous, known) | names
    for role, data in update.files.items():
        rule = root.signed.roles[role]
        if role == "root":
            yield from built_events(gun, role, data, root, names)
            if previous is not None:
                old = previous.roles["root"]
                yield threshold_event(gun, role, root, "old", old.keyids, old.threshold)
            yield threshold_event(gun, role, root, "new", rule.keyids, rule.threshold)
        else:
            metadata = Metadata.from_bytes(data)
            yield from built_events(gun, role, data, metadata, names)
            yield threshold_event(gun, role, metadata, "new", rule.keyids, rule.threshold)
    yield from warnings_of(update)


def built_events(
    gun: str, role: str, data: bytes, metadata: Metadata[SignedT], names: dict[str, str]
) -> Iterator[Event]:
    """``metadata`` (file bytes ``data``) was built for ``gun``, and who signed it."""
    yield MetadataBuilt(
        role=f"{role} of {gun}",
        version=metadata.signed.version,
        expires=metadata.signed.expires,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    yield from signature_events(gun, role, metadata, names)


# -- the end ----------------------------------------------------------------------


def summarize(ctx: Context) -> Iterator[Event]:
    """What was made, per GUN (counts only beyond twenty GUNs)."""
    run = work(ctx)
    guns: dict[str, dict[str, object]] = {}
    for gun in current(ctx).scope:
        update = run.updates.get(gun)
        if update is None:
            continue
        facts: dict[str, object] = {"files": sorted(update.files)}
        if "root" in update.files:
            root = read_shared(update.files["root"], Root).signed
            facts.update(
                root_version=root.version,
                root_expires=root.expires,
                root_threshold=root.roles["root"].threshold,
            )
        if "targets" in update.files:
            targets = read_shared(update.files["targets"], Targets)
            facts["targets_version"] = targets.signed.version
        guns[gun] = facts
    ctx.summary = {
        "flavor": "dct",
        "guns_changed": len(guns),
        "publish_set": "publish/" if guns else None,
    }
    if len(guns) <= 20:
        ctx.summary["guns"] = guns
    if ctx.custody is not None:  # steps/custody.py
        ctx.summary["custody"] = ctx.custody.summary()
    return iter(())


def summary_step() -> Step:
    return Step(
        "summary",
        "Summary",
        summarize,
        say_aloud="Take the bundle's publish/ folder to the online side and run "
        "scripts/dct-publish.",
    )


def warnings_of(update: GunUpdate) -> Iterator[Event]:
    for warning in update.warnings:
        yield events.Warning(warning)  # the event, not the builtin
