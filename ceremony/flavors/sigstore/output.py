"""Writing a Sigstore ceremony's results into its bundle (before it is sealed).

The TUF flavor writes the root history, targets and keys (asked through the
Flavor interface); this adds what the instance serves and its clients take:

- ``mirror/``: the static tree to serve at the TUF URL, consistent snapshots:
  ``N.root.json``, ``N.targets.json``, ``N.snapshot.json``, ``timestamp.json``
  and ``targets/<sha256>.<name>``;
- ``trusted_root.json`` and ``signing_config.v0.2.json``, as the targets carry them;
- ``client/``: ``root.json`` to hand out, ``root.json.sha256`` for
  ``cosign initialize --root-checksum``, and ``trust_config.json`` (a
  ClientTrustConfig for ``sigstore --trust-config``);
- ``cosign/<name>.pub`` beside each CI key's ``cosign/<name>.key`` (cosign-keys:),
  and ``policies/`` for the cluster when keys name their repositories (policies.py);
- ``CLIENTS.md``: the exact cosign and sigstore-python commands;
- ``mirror-signer/`` with ``trust: mirror-signer: online``: which encrypted key
  files the server that re-signs snapshot and timestamp takes, and by when
  (mirror_signer.py).

A migrate-dct has no trust root: its bundle holds the cosign keys, the
policies scoped to each group's GUNs (per admission controller) and
``MIGRATION.md`` (migration_page.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.keyring import KeyRecord
from ceremony.events import Event
from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore.clients_page import clients_page
from ceremony.flavors.sigstore.cosign_uri import cosign_uri
from ceremony.flavors.sigstore.current import current_mirror
from ceremony.flavors.sigstore.documents import SIGNING_CONFIG, TRUSTED_ROOT, document_bytes
from ceremony.flavors.sigstore.kinds.cosign import FOLDER
from ceremony.flavors.sigstore.migration import kyverno_globs, policy_controller_globs
from ceremony.flavors.sigstore.migration_page import migration_page
from ceremony.flavors.sigstore.mirror_signer import server_files
from ceremony.flavors.sigstore.plan import MIGRATION_PAGE, SigstoreDetails
from ceremony.flavors.sigstore.policies import (
    KYVERNO,
    POLICY_CONTROLLER,
    ScopedKey,
    as_kyverno_sees,
    as_policy_controller_sees,
    kyverno_policy,
    policy_controller_policies,
)
from ceremony.flavors.sigstore.work import sigstore_work

MIRROR = "mirror"
CLIENT = "client"


def write_bundle(ctx: Context) -> Iterator[Event]:
    if ctx.plan.kind == "migrate-dct":
        yield from write_migration(ctx)
        return
    yield from flavor_named("tuf").write_bundle(ctx)
    writer = ctx.bundle
    work = sigstore_work(ctx)
    assert work.targets is not None and work.targets_bytes is not None  # the steps ran
    assert work.snapshot is not None and work.snapshot_bytes is not None
    assert work.timestamp is not None and work.timestamp_bytes is not None
    assert work.material is not None
    assert work.documents is not None and work.client_trust_config is not None
    history = list(current_mirror(ctx.current).root_history) if ctx.current else []
    if work.root_bytes is not None:
        history.append(work.root_bytes)
    for version, data in enumerate(history, start=1):
        yield writer.write(f"{MIRROR}/{version}.root.json", data)
    yield writer.write(f"{MIRROR}/{work.targets.signed.version}.targets.json", work.targets_bytes)
    yield writer.write(
        f"{MIRROR}/{work.snapshot.signed.version}.snapshot.json", work.snapshot_bytes
    )
    yield writer.write(f"{MIRROR}/timestamp.json", work.timestamp_bytes)
    for name, data in work.documents.items():
        digest = hashlib.sha256(data).hexdigest()
        yield writer.write(f"{MIRROR}/targets/{digest}.{name}", data)
        if name in (TRUSTED_ROOT, SIGNING_CONFIG):
            yield writer.write(name, data)
    root_sha256 = hashlib.sha256(history[-1]).hexdigest()
    yield writer.write(f"{CLIENT}/root.json", history[-1])
    yield writer.write(f"{CLIENT}/root.json.sha256", f"{root_sha256}  root.json\n".encode())
    yield writer.write(f"{CLIENT}/trust_config.json", document_bytes(work.client_trust_config))
    details: SigstoreDetails = ctx.plan.details
    if details.mirror_signer == "online":
        signers = [
            record
            for record in ctx.keys.values()
            if record.roles & {"snapshot", "timestamp"} and record.location.startswith("age-file:")
        ]
        versions = {
            "snapshot": (work.snapshot.signed.version, work.snapshot.signed.expires),
            "timestamp": (work.timestamp.signed.version, work.timestamp.signed.expires),
        }
        for path, data in server_files(signers, versions).items():
            yield writer.write(path, data)
    cosign_keys = _cosign_keys(ctx)
    yield from _write_public_keys(ctx, cosign_keys)
    pems = {record.name: record.public_pem for record in cosign_keys}
    scoped = [
        ScopedKey(
            name,
            pems[name],
            tuple(as_kyverno_sees(glob) for glob in globs),
            tuple(as_policy_controller_sees(glob) for glob in globs),
        )
        for name, globs in details.cosign_repositories
    ]
    yield from _write_policies(ctx, scoped)
    page = clients_page(
        work.material.mirror_url,
        root_sha256,
        len(history),
        [r.name for r in cosign_keys],
        (KYVERNO, POLICY_CONTROLLER) if scoped else None,
        _on_tokens(cosign_keys),
    )
    yield writer.write("CLIENTS.md", page.encode())


def _cosign_keys(ctx: Context) -> list[KeyRecord]:
    details: SigstoreDetails = ctx.plan.details
    names = [spec.name for spec in details.cosign_keys] + list(details.reissue_cosign)
    return [ctx.keys[name] for name in names]


def _on_tokens(records: list[KeyRecord]) -> frozenset[str]:
    return frozenset(r.name for r in records if r.location.startswith("pkcs11:"))


def _write_public_keys(ctx: Context, records: list[KeyRecord]) -> Iterator[Event]:
    """Each cosign key's ``.pub``; for a key on a token, the ``.uri`` cosign takes."""
    for record in records:
        yield ctx.bundle.write(f"{FOLDER}/{record.name}.pub", record.public_pem.encode())
        if record.location.startswith("pkcs11:"):
            uri = f"{cosign_uri(record.location)}\n".encode()
            yield ctx.bundle.write(f"{FOLDER}/{record.name}.uri", uri)


def _write_policies(ctx: Context, scoped: list[ScopedKey]) -> Iterator[Event]:
    if scoped:
        yield ctx.bundle.write(KYVERNO, kyverno_policy(scoped))
        yield ctx.bundle.write(POLICY_CONTROLLER, policy_controller_policies(scoped))


def write_migration(ctx: Context) -> Iterator[Event]:
    """A migrate-dct's bundle: the cosign keys' public halves, the policies scoped to
    each group's GUNs (per controller), and MIGRATION.md."""
    details: SigstoreDetails = ctx.plan.details
    known = sigstore_work(ctx).migration
    assert known is not None and details.dct_bundle is not None  # the steps ran
    cosign_keys = _cosign_keys(ctx)
    yield from _write_public_keys(ctx, cosign_keys)
    pems = {record.name: record.public_pem for record in cosign_keys}
    scoped = [
        ScopedKey(
            group.key,
            pems[group.key],
            tuple(glob for gun in group.guns for glob in kyverno_globs(gun)),
            tuple(glob for gun in group.guns for glob in policy_controller_globs(gun)),
        )
        for group in details.groups
    ]
    yield from _write_policies(ctx, scoped)
    page = migration_page(
        details.dct_bundle.name,
        details.groups,
        known,
        {record.name: record.keyid for record in cosign_keys},
        (KYVERNO, POLICY_CONTROLLER),
        _on_tokens(cosign_keys),
    )
    yield ctx.bundle.write(MIGRATION_PAGE, page.encode())
