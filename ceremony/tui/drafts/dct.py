"""The Docker Content Trust part of a draft: GUNs, the server's keys, CI's signers.

``flavor: dct`` scripts take, by kind (ceremony/flavors/dct/fields.py): the
GUNs, the folder ``scripts/dct-fetch-keys`` wrote the Notary server's keys
to, who signs snapshots (the server, or a key made here for CI), one
repository key per GUN or one shared, the server's published metadata, a
Docker trust dir to import, and the CI signers a delegation adds. Only what
the kind takes and what was filled in is written: choices at their default
(``snapshot: server``, ``repository-keys: per-gun``) are left out, as a person
would. The keys, roles, delegations and custody are the common parts'.
Imports no UI toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ceremony.tui.drafts.keys import KeyRow
from ceremony.tui.drafts.model import DelegationRow, Draft, RoleRow, recover_draft
from ceremony.tui.drafts.renewal import Renewal
from ceremony.tui.drafts.text import Put, filled, flow_list, names, put_named, scalar

#: the roles a dct form shows: the Notary server holds the timestamp key
DCT_ROLES = ("root", "targets", "snapshot")
DCT_RECOVER_ROLES = ("targets",)  # a dct recover replaces the targets key only, today
SNAPSHOT_MODES = ("server", "offline")
REPOSITORY_KEY_MODES = ("per-gun", "shared")
#: the kinds the forms build for dct
DCT_KINDS = ("bootstrap", "rotate-root", "delegate", "renew", "decommission", "recover")


@dataclass
class SignerRow:
    """A CI signer (``targets/<name>`` and ``targets/releases``), as ``docker trust signer add``."""

    name: str = ""
    keys: str = ""
    tag: str = ""

    def is_empty(self) -> bool:
        return not (self.name.strip() or self.keys.strip())


@dataclass
class DctPart:
    """What the dct fields of the form hold, as typed."""

    guns: str = ""
    server_keys: str = ""
    snapshot: str = "server"
    repository_keys: str = "per-gun"
    published: str = ""
    import_trust: str = ""
    signers: list[SignerRow] = field(default_factory=list)

    def render(self, takes: tuple[str, ...], put: Put, fields: dict[str, str]) -> None:
        def text(name: str, field_id: str, value: str) -> None:
            if name not in takes:
                return
            fields[name] = field_id
            if value.strip():
                put(name, field_id, f"{name}: {scalar(value)}")

        if "guns" in takes:
            fields["guns"] = "dct-guns"
            if names(self.guns):
                put("guns", "dct-guns", f"guns: {flow_list(names(self.guns))}")
        text("server-keys", "dct-server-keys", self.server_keys)
        text("published", "dct-published", self.published)
        text("import-trust", "dct-import-trust", self.import_trust)
        text("snapshot", "dct-snapshot", "" if self.snapshot == "server" else self.snapshot)
        text(
            "repository-keys", "dct-repository-keys",
            "" if self.repository_keys == "per-gun" else self.repository_keys,
        )
        if "signers" in takes:
            self._signers(put, fields)

    def inside_carried(self, name: str, put: Put, fields: dict[str, str]) -> None:
        """Nothing is added to a field carried as written (``published:`` stays as it was)."""

    def _signers(self, put: Put, fields: dict[str, str]) -> None:
        first, rows = filled(self.signers)
        fields["signers"] = f"signer-{first}-name"
        if rows:
            put("signers", fields["signers"], "signers:")
        put_named("signers", "signer", "keys",
                  [(tag, row.name, flow_list(names(row.keys))) for tag, row in rows],
                  put, fields, indent="  ")


def new_dct_draft(kind: str, *, stamp: str) -> Draft:
    """A sound dct ceremony of ``kind`` to edit (docs/reference/dct.md's examples)."""
    output = f"media/{stamp}-dct-{kind}"
    if kind == "bootstrap":
        return Draft(
            kind=kind, flavor="dct", title="Offline roots for the Docker repositories",
            output=output, keyholders="alice, bob, ci-team",
            keys=[
                KeyRow("root-alice", "alice", "ecdsa-p256"),
                KeyRow("root-bob", "bob", "ecdsa-p256"),
                KeyRow("repo", "ci-team", "ecdsa-p256"),
            ],
            roles=[RoleRow("root", "root-alice, root-bob", "1", ""),
                   RoleRow("targets", "repo", "1", ""), RoleRow("snapshot", "", "1", "")],
            part=DctPart(),
        )
    if kind == "rotate-root":
        return Draft(
            kind=kind, flavor="dct", title="Rotation of the Docker repositories' roots",
            output=output, keys=[KeyRow(algorithm="ecdsa-p256")],
            roles=[RoleRow(name, "", "1", "") for name in DCT_ROLES], part=DctPart(),
        )
    if kind == "delegate":
        return Draft(
            kind=kind, flavor="dct", title="CI signers for the Docker repositories",
            output=output, keyholders="ci-team",
            keys=[KeyRow("ci-signer", "ci-team", "ecdsa-p256")],
            delegations=[DelegationRow()],
            part=DctPart(signers=[SignerRow("ci", "ci-signer")]),
        )
    if kind == "renew":
        return Draft(
            kind=kind, flavor="dct", title="Renewal of the Docker repositories' roots",
            output=output, renewal=Renewal(root_expires="10y"), part=DctPart(),
        )
    if kind == "decommission":
        return Draft(
            kind=kind, flavor="dct", title="Key destruction for the Docker repositories' roots",
            output=output, renewal=Renewal(root_expires=""), part=DctPart(),
        )
    if kind == "recover":  # the usual companion loss: CI's targets key
        return recover_draft("dct", stamp=stamp, lost="targets", algorithm="ecdsa-p256",
                             roles=tuple(RoleRow(name) for name in DCT_RECOVER_ROLES),
                             part=DctPart())
    raise ValueError(kind)
