"""Writing a ceremony's results into its bundle (before it is sealed).

The bundle carries the whole root history, the newest targets metadata, and
every key still in use: its public key, its index entry and, for keys kept
in encrypted files, that file. Keys that no role uses any more are left out
(the previous bundle still holds them).
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.bundle.writer import canonical_json_bytes
from ceremony.engine.context import Context
from ceremony.engine.keyring import KeyRecord
from ceremony.events import Event
from ceremony.flavors.tuf.current import CurrentBundle
from ceremony.tufmeta.work import work


def assign_roles(ctx: Context) -> None:
    """Each key's roles, as the final root and targets say."""
    root = work(ctx).root_signed
    delegated: dict[str, set[str]] = {}
    targets = work(ctx).targets
    if targets is not None and targets.signed.delegations is not None:
        for role in (targets.signed.delegations.roles or {}).values():
            delegated[role.name] = set(role.keyids)
    for record in ctx.keys.values():
        roles = {name for name, role in root.roles.items() if record.keyid in role.keyids}
        roles |= {f"targets/{name}" for name, ids in delegated.items() if record.keyid in ids}
        record.roles = roles


def index_entry(record: KeyRecord) -> dict[str, object]:
    entry: dict[str, object] = {
        "keyid": record.keyid,
        "algorithm": record.algorithm,
        "backend": record.backend,
        "location": record.location,
        "holder": record.holder,
        "roles": sorted(record.roles),
        "public": f"keys/public/{record.name}.pem",
    }
    if record.backups:  # pkcs11: URIs of copies on backup tokens
        entry["backups"] = list(record.backups)
    if record.origin:  # "imported": a software key re-homed onto its token
        entry["origin"] = record.origin
    return entry


def write_bundle(ctx: Context) -> Iterator[Event]:
    writer = ctx.bundle
    current = ctx.current
    assert current is None or isinstance(current, CurrentBundle)  # the TUF preflight's
    history = list(current.root_history) if current else []
    tuf_work = work(ctx)
    if tuf_work.root_bytes is not None:
        history.append(tuf_work.root_bytes)
    for version, data in enumerate(history, start=1):
        yield writer.write(f"metadata/{version}.root.json", data)
    yield writer.write("metadata/root.json", history[-1])
    targets_bytes = tuf_work.targets_bytes
    if targets_bytes is None and current and current.targets_bytes and tuf_work.targets:
        targets_bytes = current.targets_bytes
    if targets_bytes is not None:
        assert tuf_work.targets is not None  # the targets these bytes are
        version = tuf_work.targets.signed.version
        yield writer.write(f"metadata/{version}.targets.json", targets_bytes)
        yield writer.write("metadata/targets.json", targets_bytes)

    assign_roles(ctx)
    kept = {name: r for name, r in sorted(ctx.keys.items()) if r.roles}
    for record in kept.values():
        yield writer.write(f"keys/public/{record.name}.pem", record.public_pem.encode())
        stored = record.location.startswith("age-file:")
        relpath = record.location.split(":", 1)[1] if stored else ""
        if relpath and relpath not in writer.files:
            data = record.stored if record.stored is not None else ctx.building_on.key_file(relpath)
            yield writer.write(relpath, data, private=True)
    index = {"format": 1, "keys": {name: index_entry(r) for name, r in kept.items()}}
    yield writer.write("keys/index.json", canonical_json_bytes(index))
