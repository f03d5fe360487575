"""Writing a ceremony's results into its bundle (before it is sealed).

The bundle carries the whole root history, the newest targets metadata, and
every key still in use: its public key, its index entry and, for keys kept
in encrypted files, that file. Keys that no role uses any more are left out
(the previous bundle still holds them).
"""

from __future__ import annotations

from typing import Iterator

from tuf.api.serialization.json import JSONSerializer

from ceremony.bundle.writer import canonical_json_bytes
from ceremony.engine.context import Context, KeyRecord
from ceremony.events import Event

REHEARSAL_NOTE = (
    "This bundle was made by a REHEARSAL (`ceremony rehearse` or a script with\n"
    "`rehearsal: true`). Its keys and metadata are for practice only: never\n"
    "publish them and never build a production ceremony on them.\n"
)


def metadata_bytes(md) -> bytes:
    return md.to_bytes(JSONSerializer(compact=False))


def assign_roles(ctx: Context) -> None:
    """Each key's roles, as the final root and targets say."""
    root = ctx.root.signed
    delegated = {}
    if ctx.targets is not None and ctx.targets.signed.delegations is not None:
        for role in (ctx.targets.signed.delegations.roles or {}).values():
            delegated[role.name] = set(role.keyids)
    for record in ctx.keys.values():
        roles = {name for name, role in root.roles.items() if record.keyid in role.keyids}
        roles |= {f"targets/{name}" for name, ids in delegated.items() if record.keyid in ids}
        record.roles = roles


def index_entry(record: KeyRecord) -> dict:
    entry = {
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
    writer = ctx.writer
    history = list(ctx.current.root_history) if ctx.current else []
    if ctx.root_bytes is not None:
        history.append(ctx.root_bytes)
    for version, data in enumerate(history, start=1):
        yield writer.write(f"metadata/{version}.root.json", data)
    yield writer.write("metadata/root.json", history[-1])
    targets_bytes = ctx.targets_bytes
    if targets_bytes is None and ctx.current and ctx.current.targets_bytes and ctx.targets:
        targets_bytes = ctx.current.targets_bytes
    if targets_bytes is not None:
        version = ctx.targets.signed.version
        yield writer.write(f"metadata/{version}.targets.json", targets_bytes)
        yield writer.write("metadata/targets.json", targets_bytes)

    assign_roles(ctx)
    kept = {name: r for name, r in sorted(ctx.keys.items()) if r.roles}
    for record in kept.values():
        yield writer.write(f"keys/public/{record.name}.pem", record.public_pem.encode())
        relpath = record.location.split(":", 1)[1] if record.location.startswith("age-file:") else ""
        if relpath and relpath not in writer.files:
            data = record.encrypted
            if data is None:
                data = ctx.current.key_file(relpath)
            yield writer.write(relpath, data, private=True)
    index = {"format": 1, "keys": {name: index_entry(r) for name, r in kept.items()}}
    yield writer.write("keys/index.json", canonical_json_bytes(index))
    yield writer.write("ceremony.yaml", ctx.plan.script_text.encode())
    if ctx.plan.rehearsal:
        yield writer.write("REHEARSAL", REHEARSAL_NOTE.encode())
