"""The DCT flavor's part of signing in several sittings (a rotate-root).

One payload per GUN: its next root, unsigned, in notary's canonical JSON,
counted by the current root's threshold and its own. Keys are counted by
their canonical ids (the same for every GUN); a signature is put on each
GUN's root under the x509 id of that GUN's certificate. A new root key
needs a certificate for each GUN, which only that key can sign: its
keyholder makes them at their own sitting (``ceremony certify``, through
:meth:`DctSittings.certify`) and the script imports that file
(root_certificates.py checks each). A request may so add, keep, drop or
re-threshold the root keys, and change the server's timestamp or snapshot
key. A new targets key is imported (CI made it and keeps it): each GUN then
has a second payload, its targets.json version + 1 from ``published:``,
counted by that key alone, which CI signs at its own sitting.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from ceremony.engine.context import Context
from ceremony.engine.current import CurrentState
from ceremony.engine.keyring import KeyRecord
from ceremony.errors import CeremonyError
from ceremony.events import Event
from ceremony.flavors.dct.current import read_dct_bundle
from ceremony.flavors.dct.kinds import common
from ceremony.flavors.dct.kinds.rotate_root import check_targets_against, planned_root
from ceremony.flavors.dct.notary.certs import ROOT_CERT_VALIDITY
from ceremony.flavors.dct.notary.keyids import canonical_keyid, certificate_of, key_for_public_key
from ceremony.flavors.dct.notary.model import Metadata, PublicKey, Root, Signature, Targets
from ceremony.flavors.dct.notary.model.metadata import read_metadata
from ceremony.flavors.dct.notary.repository import GunUpdate
from ceremony.flavors.dct.notary.root import ROOT_EXPIRY, RootKey
from ceremony.flavors.dct.notary.signature_checks import check_new_root
from ceremony.flavors.dct.notary.signing import method_for, sign_payload, verify_signature
from ceremony.flavors.dct.notary.targets import next_targets
from ceremony.flavors.dct.root_certificates import certify_key, imported_certificates
from ceremony.flavors.dct.state import DctState, GunState
from ceremony.script.kind_fields import SIGNED_IN_SITTINGS
from ceremony.sittings.adapter import Group, Payload, RequestKey
from hsm.signer import KeySigner


class DctSittings:
    """Root rotations of every GUN in scope, signed in several sittings."""

    def payloads(self, ctx: Context) -> tuple[Payload, ...]:
        state = common.current(ctx)
        refuse_what_needs_a_new_key(ctx, state)
        role = ctx.plan.role("root")
        now = ctx.started.replace(microsecond=0)
        expires = role.expires if role is not None and role.expires else now + ROOT_EXPIRY
        certified = {name: imported_certificates(path, name, public_key_of(ctx, name),
                                                 state.scope, now, expires)
                     for name, path in imported_new_root_keys(ctx, state)}
        targets_role = ctx.plan.role("targets")
        targets_record = ctx.keys[targets_role.keys[0]] if targets_role is not None else None
        payloads = []
        for gun in state.scope:
            current = state.guns[gun].root.signed
            keys = None
            if role is not None:
                kept = {canonical_keyid(current.keys[k]): current.keys[k]
                        for k in current.roles["root"].keyids}
                keys = [RootKey(certificate_of(kept[keyid]), None, kept[keyid].public)
                        if keyid in kept else certified[name][gun]
                        for name in role.keys for keyid in [ctx.keys[name].keyid]]
            root = planned_root(ctx, gun, keys, targets_record)
            data = Metadata(root).signed_bytes()
            payloads.append(Payload(f"{quote(gun, safe='')}.root.json", data, (
                group("old", f"{gun}'s current root (version {current.version})", current),
                group("new", f"{gun}'s new root (version {root.version})", root),
            )))
            if targets_role is not None:
                payloads.append(targets_payload(state.guns[gun], root, targets_role.expires, now))
        return tuple(payloads)

    def summary(self, ctx: Context, payloads: tuple[Payload, ...]) -> list[str]:
        state = common.current(ctx)
        names = {record.keyid: record.name for record in ctx.keys.values()}
        first = payloads[0].groups
        before, after = set(first[0].keyids), set(first[1].keyids)
        lines = [f"{len(state.scope)} GUN(s): each root version goes up by one"]
        if after - before:
            lines.append("root: keys added: " + ", ".join(sorted(names.get(k, k[:8])
                                                               for k in after - before)))
        if before - after:
            lines.append("root: keys removed: " + ", ".join(sorted(names.get(k, k[:8])
                                                                 for k in before - after)))
        if first[0].threshold != first[1].threshold:
            lines.append(f"root: threshold {first[0].threshold} -> {first[1].threshold}")
        targets = ctx.plan.role("targets")
        if targets is not None:
            lines.append(f"targets: new key {', '.join(targets.keys)}; each GUN's targets.json "
                         "goes up by one, signed by it")
        lines += [f"{gun}: server keys change" for gun in state.scope
                  if gun in state.server_key_changes]
        return lines

    def base(self, current: CurrentState) -> dict[str, Any]:
        assert isinstance(current, DctState)  # read by the DCT flavor
        guns = sorted(current.scope or current.guns)
        digest = hashlib.sha256()
        for gun in guns:
            digest.update(f"{gun}\n{hashlib.sha256(current.guns[gun].history[-1]).hexdigest()}\n"
                          .encode())
        return {"guns": len(guns), "roots sha256": digest.hexdigest()}

    def read_current(self, path: Path, at: datetime) -> CurrentState:
        return read_dct_bundle(path, at=at)

    def sign(self, payload: Payload, signer: KeySigner) -> str:
        return sign_payload(signer, payload.data).sig.hex()

    def verifies(self, payload: Payload, key: RequestKey, signature: str) -> bool:
        notary_key, method = _request_key(key.public_pem)
        if notary_key.keyid != key.keyid:
            return False
        try:
            raw = bytes.fromhex(signature)
        except ValueError:
            return False
        found = Signature(key.keyid, method, raw)
        return verify_signature(notary_key, found, payload.data, payload.digest)

    def certify(
        self, current: CurrentState, signer: KeySigner, name: str, now: datetime,
        expires: datetime | None,
    ) -> bytes:
        assert isinstance(current, DctState)  # read by the DCT flavor
        validity = expires - now if expires is not None else ROOT_CERT_VALIDITY
        return certify_key(signer, name, sorted(current.scope or current.guns), now, validity)

    def write_bundle(
        self, ctx: Context, payloads: tuple[Payload, ...],
        signatures: Mapping[str, Mapping[str, str]],
    ) -> Iterator[Event]:
        state, run = common.current(ctx), common.work(ctx)
        roots = [p for p in payloads if p.name.endswith(".root.json")]
        targets = {p.name: p for p in payloads if p.name.endswith(".targets.json")}
        state.scope = [unquote(payload.name.removesuffix(".root.json")) for payload in roots]
        known = common.key_names(ctx)  # the seal adds no key while it builds
        records: dict[str, KeyRecord] = {}
        for record in ctx.keys.values():  # the first of an id, as ctx.key_by_keyid finds it
            records.setdefault(record.keyid, record)
        for gun, payload in zip(state.scope, roots, strict=True):
            current = state.guns[gun].root.signed
            metadata = read_metadata(envelope(payload.data), Root, gun)
            refuse_other_form(payload, metadata)
            ids = {canonical_keyid(key): keyid for root in (current, metadata.signed)
                   for keyid, key in root.keys.items()}
            put_signatures(records, metadata, signatures[payload.name], ids)
            check_new_root(current, metadata, gun)
            new = metadata.signed
            update = GunUpdate(gun, root_keys=[
                RootKey(certificate_of(new.keys[k]), None, new.keys[k].public)
                for k in new.roles["root"].keyids])
            update.files["root"] = metadata.to_bytes()
            signed_targets = targets.get(payload.name.replace(".root.json", ".targets.json"))
            if signed_targets is not None:
                targets_metadata = read_metadata(envelope(signed_targets.data), Targets, gun)
                refuse_other_form(signed_targets, targets_metadata)
                put_signatures(records, targets_metadata, signatures[signed_targets.name], {})
                check_targets_against(gun, metadata, targets_metadata)
                update.files["targets"] = targets_metadata.to_bytes()
            run.updates[gun] = update
            yield from common.update_events(ctx, gun, update, current, known)
        yield from ctx.flavor.write_bundle(ctx)


def targets_payload(state: GunState, root: Root, expires: datetime, now: datetime) -> Payload:
    """``state``'s targets.json (the server's, from ``published:``), version + 1,
    unsigned: counted by the new root's targets key."""
    if state.targets is None:  # preflight asks for it with a new targets key
        raise CeremonyError(
            "there is no current targets.json to sign with the new targets key",
            where=state.gun, todo="fetch the server's state with `scripts/dct-fetch-keys "
            "--state` and name it in published:",
        )
    targets = next_targets(state.targets.signed, expires=expires, now=now)
    role = root.roles["targets"]
    return Payload(f"{quote(state.gun, safe='')}.targets.json", Metadata(targets).signed_bytes(), (
        Group("targets", f"{state.gun}'s new targets (version {targets.version})",
              role.threshold, tuple(role.keyids)),
    ))


def refuse_other_form(payload: Payload, metadata: Metadata[Any]) -> None:
    if metadata.signed_bytes() != payload.data:
        raise CeremonyError(
            f"{payload.name} is not in notary's canonical form: its signatures would "
            "not verify", todo="the request was not written by this tool: do not seal it",
        )


@functools.lru_cache(maxsize=64)
def _request_key(public_pem: str) -> tuple[PublicKey, str]:
    """A request key's notary key and signing method, made once per PEM text (a
    sealing checks a key's signature over every GUN's payload)."""
    public_key = load_pem_public_key(public_pem.encode())
    return key_for_public_key(public_key), method_for(public_key)


def put_signatures(
    records: Mapping[str, KeyRecord], metadata: Metadata[Any], signatures: Mapping[str, str],
    ids: Mapping[str, str],
) -> None:
    """Each counted key's signature onto ``metadata``, under the id it names the key
    by (``ids``: canonical id -> x509 id, for root keys); ``records``: the
    ceremony's keys by id."""
    for canonical, signature in sorted(signatures.items()):
        public = records.get(canonical)
        assert public is not None  # a counted key, known by the seal
        metadata.signatures.append(Signature(
            ids.get(canonical, canonical), method_for(public.public_key),
            bytes.fromhex(signature)))


def envelope(signed: bytes) -> bytes:
    """A metadata file around canonical ``signed`` bytes, with no signature yet."""
    return b'{"signed":' + signed + b',"signatures":[]}'


def group(label: str, title: str, root: Root) -> Group:
    role = root.roles["root"]
    return Group(label, title, role.threshold,
                 tuple(canonical_keyid(root.keys[k]) for k in role.keyids))


def imported_new_root_keys(ctx: Context, state: DctState) -> list[tuple[str, Path]]:
    """The imported root keys of the script new to a GUN in scope, each with the
    file it is imported from (its certificates for each GUN)."""
    role = ctx.plan.role("root")
    imported = {spec.name: spec.public_key_file for spec in ctx.plan.keys
                if spec.source == "import" and spec.public_key_file is not None}
    return [(name, imported[name]) for name in (role.keys if role else ()) if name in imported
            and any(ctx.keys[name].keyid not in state.guns[gun].canonical_ids("root")
                    for gun in state.scope)]


def public_key_of(ctx: Context, name: str) -> PublicKeyTypes:
    return load_pem_public_key(ctx.keys[name].public_pem.encode())


def refuse_what_needs_a_new_key(ctx: Context, state: DctState) -> None:
    if ctx.plan.kind not in SIGNED_IN_SITTINGS:
        raise CeremonyError(
            f"a Docker Content Trust {ctx.plan.kind} ceremony is not signed in sittings yet",
            todo="run it in one sitting (`ceremony run SCRIPT`)",
        )
    targets = ctx.plan.role("targets")
    if targets is not None and (len(targets.keys) != 1 or not any(
            spec.name == targets.keys[0] and spec.source == "import" for spec in ctx.plan.keys)):
        raise CeremonyError(
            f"{ctx.plan.where('roles.targets')}: a new targets key signed in sittings is one "
            "key, imported: it signs each GUN's targets.json at its holder's sitting",
            todo="let CI make the key and import: its public key; or run the rotation in one "
            "sitting (`ceremony run SCRIPT`)",
        )
    role = ctx.plan.role("root")
    imported = {spec.name for spec in ctx.plan.keys if spec.source == "import"}
    for gun in state.scope:
        current = set(state.guns[gun].canonical_ids("root"))
        new = [name for name in (role.keys if role else ())
               if ctx.keys[name].keyid not in current and name not in imported]
        if new:
            raise CeremonyError(
                f"{', '.join(new)} would be a new root key of {gun}, and its certificate "
                "for the GUN can only be signed by that key, which is not imported",
                todo="let its keyholder make its certificates at their own sitting "
                "(`ceremony certify`) and import: that file; or add the key in one sitting "
                "(`ceremony run SCRIPT`)",
            )
