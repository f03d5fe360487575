"""rotate-root, flavor dct: each GUN's next root, signed by the old and new root keys.

From each GUN's current root (the last bundle's, checked against the
server's state when it is on media; or a Docker trust dir's cached root),
root version N+1 may name new root keys (each gets a certificate for the
GUN; a key that stays keeps its certificate), a new threshold, a new
targets key (made here, exported for CI; targets.json is then re-signed
from the server's current one, version + 1) and the server's new timestamp
or snapshot key from media. Every new root must be exactly version + 1 and
carry a threshold of valid signatures from the old root keys AND from its
own: the format layer checks both before anything is written, and the
server would refuse it anyway. With ``import-trust:``, the root keys that
lived in the trust dir sign the rotation away from themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from ceremony.engine.context import Context
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.keys import store_again
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.flavors.dct.keys import notary_key, notary_signer
from ceremony.flavors.dct.kinds import common
from ceremony.flavors.dct.notary.certs import issue_root_certificate
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyids import canonical_keyid, certificate_of, pem_from_der
from ceremony.flavors.dct.notary.model import Metadata, Root, Targets
from ceremony.flavors.dct.notary.repository import GunUpdate
from ceremony.flavors.dct.notary.root import (
    RootKey,
    next_root,
    root_warnings,
    sign_root,
)
from ceremony.flavors.dct.notary.signature_checks import check_new_root
from ceremony.flavors.dct.notary.targets import next_targets, sign_targets
from ceremony.flavors.dct.notary.validate import check_root_certificate
from ceremony.flavors.dct.state import GunState
from ceremony.script.plan import Plan
from ceremony.steps import common as shared
from ceremony.steps import custody as custody_steps


def signing_records(ctx: Context) -> list[KeyRecord]:
    """The current root keys that sign today: sign-with, or every root key found
    in the imported trust dir, or (recover) the root keys recovered from custody."""
    plan, state = ctx.plan, common.current(ctx)
    if plan.kind == "recover":  # the root keys recovered from custody (collect_shares.py)
        return [ctx.keys[name] for name in ctx.custody.keys_recovered]
    names: Sequence[str] = plan.sign_with
    if not names and state.source == "docker-trust":
        names = [name for name, entry in state.keys.items() if "root" in entry.roles]
    return [ctx.keys[name] for name in names]


def open_current_keys(ctx: Context) -> Iterator[Event]:
    yield from shared.open_keys(ctx, signing_records(ctx))
    root = ctx.plan.role("root")
    for name in root.keys if root is not None else ():
        record = ctx.keys.get(name)  # keys made today come in the next step
        if record is not None and record.location.startswith("docker-trust:") and record.signer:
            # a laptop key kept: from now on an age file, and into custody
            yield from store_again(
                ctx, record, f"New passphrase for root key {record.name}, now kept offline"
            )


def build(ctx: Context) -> Iterator[Event]:
    return common.build_guns(ctx, rotate_gun)


def rotate_gun(ctx: Context, gun: str) -> GunUpdate:
    plan, state = ctx.plan, common.current(ctx)
    current_state = state.guns[gun]
    current = current_state.root.signed
    now = ctx.started.replace(microsecond=0)
    opened = [record for record in signing_records(ctx) if record.signer is not None]
    old_keys = old_root_keys(current, opened)
    role = plan.role("root")
    new_keys = _new_root_keys(ctx, gun, current, role.keys, now) if role is not None else None
    targets_role = plan.role("targets")
    targets_record = common.key_for(ctx, targets_role.keys[0], gun) if targets_role else None
    change = state.server_key_changes.get(gun)
    root = planned_root(ctx, gun, new_keys, targets_record)
    seen = {key.keyid for key in old_keys}
    signers = old_keys + [key for key in new_keys or () if key.signer and key.keyid not in seen]
    metadata = sign_root(root, signers)
    check_new_root(current, metadata, gun)
    update = GunUpdate(gun, root_keys=list(new_keys or ()), warnings=root_warnings(root, gun, now))
    update.files["root"] = metadata.to_bytes()
    if change is not None and change.snapshot is not None:
        current_state.snapshot = "server"
    if targets_role is not None and targets_record is not None:
        targets_metadata = _next_targets(current_state, targets_record, targets_role.expires, now)
        check_targets_against(gun, metadata, targets_metadata)
        update.files["targets"] = targets_metadata.to_bytes()
    for key in new_keys or ():
        update.warnings += check_root_certificate(key.certificate, gun, now, new=False)
    return update


def planned_root(
    ctx: Context, gun: str, new_keys: list[RootKey] | None, targets_record: KeyRecord | None
) -> Root:
    """``gun``'s next root as the script says, unsigned: ``new_keys`` its root keys
    (None: as they are), ``targets_record`` its new targets key (None: as it is)."""
    plan, state = ctx.plan, common.current(ctx)
    role = plan.role("root")
    change = state.server_key_changes.get(gun)
    return next_root(
        state.guns[gun].root.signed,
        gun=gun,
        root_keys=new_keys,
        root_threshold=role.threshold if role is not None else None,
        targets_keys=[notary_key(targets_record)] if targets_record else None,
        timestamp_keys=[change.timestamp] if change and change.timestamp else None,
        snapshot_keys=[change.snapshot] if change and change.snapshot else None,
        expires=role.expires if role is not None else None,
        now=ctx.started.replace(microsecond=0),
        check_certificates=False,  # new ones made and checked here, kept ones checked below
    )


def _next_targets(
    state: GunState, record: KeyRecord, expires: datetime, now: datetime
) -> Metadata[Targets]:
    """The server's targets.json, version + 1, signed by the new targets key."""
    if state.targets is None:  # preflight asks for it with a new targets key
        raise DctError(
            "there is no current targets.json to sign with the new targets key",
            where=state.gun,
            todo="fetch the server's state with `scripts/dct-fetch-keys --state` and name it "
            "in published:",
        )
    targets = next_targets(state.targets.signed, expires=expires, now=now)
    return sign_targets(targets, [notary_signer(record)])


def old_root_keys(current: Root, opened: list[KeyRecord]) -> list[RootKey]:
    """The current root's keys that a key opened today can sign for, under their old ids."""
    by_canonical = {record.keyid: record for record in opened}
    keys = []
    for keyid in current.roles["root"].keyids:
        record = by_canonical.get(canonical_keyid(current.keys[keyid]))
        if record is not None:
            key = current.keys[keyid]
            keys.append(RootKey(certificate_of(key), notary_signer(record), key.public))
    return keys


def _new_root_keys(
    ctx: Context, gun: str, current: Root, names: Sequence[str], now: datetime
) -> list[RootKey]:
    """The new root role's keys: a key that stays keeps its certificate; a new one
    (or a current key new to this GUN) gets a certificate for the GUN."""
    stays = {canonical_keyid(current.keys[k]): k for k in current.roles["root"].keyids}
    keys = []
    for name in names:
        record = ctx.keys[name]
        signer = notary_signer(record) if record.signer is not None else None
        keyid = stays.get(record.keyid)
        if keyid is not None:
            key = current.keys[keyid]
            keys.append(RootKey(certificate_of(key), signer, key.public))
            continue
        if signer is None:
            raise DctError(
                f"{name} is not yet a root key of this GUN and is not open today, so it "
                "cannot sign its certificate for it",
                where=gun,
                todo="add it to sign-with, or leave it out of roles.root",
            )
        certificate, der = issue_root_certificate(signer, gun, now=now)
        keys.append(RootKey(certificate, signer, pem_from_der(der)))
    return keys


def check_targets_against(
    gun: str, root_metadata: Metadata[Root], targets: Metadata[Targets]
) -> None:
    """``targets`` is signed as the new root (not yet published) asks."""
    probe = GunState(gun=gun, history=[root_metadata.to_bytes()])
    common.check_targets_signed(probe, targets)


def open_current_keys_step() -> Step:
    return Step(
        "open-keys",
        "Open the current root keys that sign today",
        open_current_keys,
        say_aloud="Each keyholder named, in turn, types their passphrase.",
    )


def gun_root_steps(
    title: str, build_roots: Callable[[Context], Iterator[Event]], check_by_eye: str,
    before: Sequence[Step] = (), after: Sequence[Step] = (),
) -> list[Step]:
    """A kind that signs each GUN's next root with the current root keys: preflight,
    open them, ``before``, the roots, ``after``, write the bundle, summary."""
    return [
        shared.preflight_step(),
        open_current_keys_step(),
        *before,
        Step("gun-metadata", title, build_roots, check_by_eye=check_by_eye),
        *after,
        shared.write_media_step(),
        common.summary_step(),
    ]


def steps(plan: Plan) -> list[Step]:
    return gun_root_steps(
        "Build and sign each GUN's next root version", build,
        "Both thresholds, current root and new root, show as met for every GUN.",
        before=[Step(
            "new-keys",
            "Make the new root and repository keys",
            _make_new_keys,
            check_by_eye="Each new keyholder writes down the short key id shown for their key.",
        )],
        after=custody_steps.steps(plan),  # only when the script has custody:
    )


def _make_new_keys(ctx: Context) -> Iterator[Event]:
    yield from common.make_root_keys(ctx)
    yield from common.make_repository_keys(ctx)
