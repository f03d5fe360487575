"""Writing a Docker Content Trust ceremony's bundle (docs/reference/bundle.md, "DCT bundles").

The bundle is complete on its own, like a TUF bundle: every GUN of the
current state (not only the ones changed today) with its whole root history
and newest targets.json, every key still in use with its stored copy (age
files for root keys, notary key files for CI), and the publish set that
``scripts/dct-publish`` posts. Keys no GUN uses any more are left out (the
previous bundle still holds them). ``metadata/dct.json`` ties it together
for the verifier and the next ceremony.
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.bundle.writer import BundleWriter, canonical_json_bytes, sha256_hex
from ceremony.engine.context import Context
from ceremony.engine.keyring import KEPT_BY_HOLDER, KeyRecord
from ceremony.errors import CeremonyError
from ceremony.events import Event
from ceremony.flavors.dct import layout
from ceremony.flavors.dct.kinds import common
from ceremony.flavors.dct.notary.keyids import canonical_keyid, public_key_of
from ceremony.flavors.dct.notary.model import PublicKey, Root, Targets
from ceremony.flavors.dct.notary.publishset import MANIFEST as PUBLISH_MANIFEST_NAME
from ceremony.flavors.dct.notary.publishset import publish_set_files
from ceremony.flavors.dct.state import DctState
from hsm.algorithms import algorithm_of_public_key
from hsm.signer import public_pem

CI_README = """\
Keys for CI: a notary / Docker trust dir holding only repository (targets),
offline snapshot and delegation keys made in an offline ceremony. No root key
is here, and CI never needs one.

Copy trust/ to the CI machine as its trust dir (keep private/ 0700 and every
*.key 0600), then give the passphrase the ceremony set for each key file:

    notary -d trust -s https://notary.example.com add GUN NAME FILE
    notary -d trust -s https://notary.example.com publish GUN
      (NOTARY_TARGETS_PASSPHRASE for targets keys,
       NOTARY_DELEGATION_PASSPHRASE for delegation keys,
       NOTARY_SNAPSHOT_PASSPHRASE for offline snapshot keys)

    docker: copy the files into ~/.docker/trust/private/ and set
      DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE

docs/reference/dct.md says what to do if one of these keys is lost.
"""

#: per GUN: its root history (oldest first), the first version, its newest targets.json
FinalMetadata = dict[str, tuple[list[bytes], int, bytes | None]]


def final_metadata(ctx: Context) -> FinalMetadata:
    """Per GUN: its root history (oldest first), the first version, its newest targets.json."""
    run = common.work(ctx)
    state = common.current(ctx)
    final: FinalMetadata = {}
    for gun in ordered_guns(state):
        current = state.guns[gun]
        update = run.updates.get(gun)
        history = list(current.history)
        targets = current.targets_bytes
        if update is not None:
            if "root" in update.files:
                history.append(update.files["root"])
            targets = update.files.get("targets", targets)
        final[gun] = (history, current.history_from, targets)
    return final


def ordered_guns(state: DctState) -> list[str]:
    return list(state.scope) + sorted(set(state.guns) - set(state.scope))


def assign_keys(ctx: Context, final: FinalMetadata) -> list[KeyRecord]:
    """Each key's roles and GUNs, as the newest metadata says; the keys kept."""
    by_id = {record.keyid: record for record in ctx.keys.values()}
    for record in by_id.values():
        record.roles, record.repositories = set(), {}
    for gun, (history, _first, targets) in final.items():
        root = common.read_shared(history[-1], Root, f"{gun} root.json").signed
        for role in ("root", "targets", "snapshot"):
            for keyid in root.roles[role].keyids:
                if role == "snapshot" and not _known(by_id, root.keys[keyid]):
                    continue  # the server's own key
                record = _record_for(ctx, by_id, root.keys[keyid], role)
                record.roles.add(role)
                record.repositories[gun] = keyid
        if targets is not None:
            read = common.read_shared(targets, Targets, f"{gun} targets.json")
            delegations = read.signed.delegations
            for delegated in delegations.roles:
                for keyid in delegated.keyids:
                    key = delegations.keys.get(keyid)
                    if key is None or not _known(by_id, key):
                        continue  # a signer CI added online: not this tool's key
                    record = by_id[canonical_keyid(key)]
                    record.roles.add(delegated.name)
                    record.repositories[gun] = keyid
    return sorted((r for r in by_id.values() if r.roles), key=lambda r: r.name)


def _known(by_id: dict[str, KeyRecord], key: PublicKey) -> bool:
    return canonical_keyid(key) in by_id


def _record_for(
    ctx: Context, by_id: dict[str, KeyRecord], key: PublicKey, role: str
) -> KeyRecord:
    canonical = canonical_keyid(key)
    record = by_id.get(canonical)
    if record is None:  # named by a root, held elsewhere (CI, another laptop)
        public_key = public_key_of(key)
        record = KeyRecord(
            name=f"{role}-key-{canonical[:8]}",
            keyid=canonical,
            algorithm=algorithm_of_public_key(public_key).name,
            backend="online",
            location=KEPT_BY_HOLDER,
            public_pem=public_pem(public_key),
        )
        ctx.keys[record.name] = by_id[canonical] = record
    return record


def _writer(ctx: Context) -> BundleWriter:
    if ctx.writer is None:
        raise CeremonyError(
            "the bundle is not open for writing", todo="this is a fault in the tool"
        )
    return ctx.writer


def write_dct_bundle(ctx: Context) -> Iterator[Event]:
    run, writer = common.work(ctx), _writer(ctx)
    state = common.current(ctx)
    final = final_metadata(ctx)
    gun_facts: list[dict[str, object]] = []
    for gun, (history, first, targets) in final.items():
        for offset, data in enumerate(history):
            yield writer.write(layout.root_path(gun, first + offset), data)
        yield writer.write(layout.newest_root_path(gun), history[-1])
        targets_version = None
        if targets is not None:
            yield writer.write(layout.targets_path(gun), targets)
            targets_version = common.read_shared(targets, Targets).signed.version
        gun_facts.append(
            {
                "gun": gun,
                "history_from": first,
                "root_version": first + len(history) - 1,
                "snapshot": state.guns[gun].snapshot,
                "source": state.guns[gun].source,
                "targets_version": targets_version,
                "changed": gun in run.updates,
            }
        )
    publish: dict[str, object] = {"manifest": None, "manifest_sha256": None, "files": []}
    updates = [run.updates[gun] for gun in state.scope if gun in run.updates]
    if updates:
        files = publish_set_files(updates, rehearsal=ctx.plan.rehearsal)
        for relative, data in files.items():
            yield writer.write(f"{layout.PUBLISH}/{relative}", data)
        publish["manifest"] = layout.PUBLISH_MANIFEST
        publish["manifest_sha256"] = sha256_hex(files[PUBLISH_MANIFEST_NAME])
        publish["files"] = [
            {
                "gun": update.gun,
                "role": role,
                "path": f"{layout.PUBLISH}/{update.gun}/{role}.json",
                "sha256": sha256_hex(data),
            }
            for update in updates
            for role, data in update.files.items()
        ]
    yield from _write_keys(ctx, assign_keys(ctx, final))
    index = {"format": layout.FORMAT, "guns": gun_facts, "publish": publish}
    yield writer.write(layout.DCT_INDEX, canonical_json_bytes(index))


def _write_keys(ctx: Context, kept: list[KeyRecord]) -> Iterator[Event]:
    writer, state = _writer(ctx), common.current(ctx)
    entries: dict[str, dict[str, object]] = {}
    for record in kept:
        if record.location.startswith("docker-trust:"):
            yield from _carry_trust_key(ctx, record)
        relpath = record.stored_path
        if relpath and relpath not in writer.files:  # a key made today is there already
            data = record.stored if record.stored is not None else state.key_file(relpath)
            yield writer.write(relpath, data, private=True)
        public = layout.public_key_path(record.name)
        yield writer.write(public, record.public_pem.encode())
        entries[record.name] = {
            "keyid": record.keyid,
            "algorithm": record.algorithm,
            "backend": record.backend,
            "location": record.location,
            "holder": record.holder,
            "roles": sorted(record.roles),
            "guns": dict(sorted(record.repositories.items())),
            "passphrase": record.passphrase or record.name,
            "public": public,
        }
    yield writer.write(layout.KEY_INDEX, canonical_json_bytes({"format": 1, "keys": entries}))
    if any(r.location.startswith("notary-file:") for r in kept):
        yield writer.write(layout.CI_README, CI_README.encode())


def _carry_trust_key(ctx: Context, record: KeyRecord) -> Iterator[Event]:
    """A key file from the Docker trust dir still in use. A targets key is carried
    into the bundle as it is, still encrypted to its owner's passphrase; a root key
    that did not sign today stays where it is (it is named, not carried)."""
    relpath = record.location.split(":", 1)[1]
    if "root" in record.roles:
        record.location = KEPT_BY_HOLDER
        return iter(())
    record.stored = common.current(ctx).key_file(relpath)
    record.location = f"notary-file:{layout.key_file_path(record.keyid)}"
    return iter(())
