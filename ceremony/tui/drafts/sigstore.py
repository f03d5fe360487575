"""The Sigstore part of a draft: the instance's trust material, cosign keys, DCT groups.

``flavor: sigstore`` scripts take, by kind (ceremony/flavors/sigstore/script.py):
``trust:`` (the mirror's URL, who re-signs snapshot and timestamp, and one
entry a service: a Fulcio CA chain, a Rekor or CT log key, a TSA chain or an
OIDC issuer, each with its URL and optional validity window; for a kind built
on a bundle, ``withdraw:``, the URLs of the current trusted root's services
dropped on purpose, a compromised key), the new
targets, snapshot and timestamp expiries, ``cosign-keys:`` for CI, and a
migrate-dct's ``dct-bundle:`` and ``groups:``, and a recovery's
``reissue-cosign:`` (cosign keys from custody under new passphrases). Files are named, never read:
preflight reads the material. Only what the kind takes and what was filled
in is written. Imports no UI toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ceremony.tui.drafts.keys import KeyRow
from ceremony.tui.drafts.model import Draft, RoleRow, recover_draft
from ceremony.tui.drafts.renewal import Renewal
from ceremony.tui.drafts.text import Put, flow_list, names, scalar

#: each service of ``trust:`` and the field naming its file (none for an OIDC issuer)
SERVICES = {"fulcio": "chain", "rekor": "key", "ctlog": "key", "tsa": "chain", "oidc": ""}
MIRROR_SIGNERS = ("online", "offline", "")  # "": not said (preflight says what expiries imply)
#: the kinds the forms build for sigstore
SIGSTORE_KINDS = ("bootstrap", "update-trust", "rotate-root", "renew", "decommission",
                  "recover", "migrate-dct")
EXPIRIES = ("targets-expires", "snapshot-expires", "timestamp-expires")


@dataclass
class TrustEntry:
    """One service of the instance: its URL, file and validity window."""

    service: str = "rekor"
    url: str = ""
    file: str = ""  # its chain (fulcio, tsa) or public key (rekor, ctlog)
    valid_from: str = ""
    valid_until: str = ""
    tag: str = ""

    def is_empty(self) -> bool:
        return not any(v.strip() for v in (self.url, self.file, self.valid_from, self.valid_until))


@dataclass
class CosignRow:
    """A cosign key for CI (``cosign-keys:``), or a migrate-dct group (with ``guns``)."""

    name: str = ""
    holder: str = ""
    scope: str = ""  # image globs (repositories:), or a group's GUNs
    tag: str = ""

    def is_empty(self) -> bool:
        return not any(v.strip() for v in (self.name, self.holder, self.scope))


@dataclass
class SigstorePart:
    """What the sigstore fields of the form hold, as typed."""

    mirror: str = ""
    mirror_signer: str = "online"
    legacy_targets: bool = False
    entries: list[TrustEntry] = field(default_factory=list)
    expires: dict[str, str] = field(default_factory=dict)  # targets-, snapshot-, timestamp-
    cosign_keys: list[CosignRow] = field(default_factory=list)
    dct_bundle: str = ""
    groups: list[CosignRow] = field(default_factory=list)
    reissue: str = ""  # a recovery's reissue-cosign: cosign keys from custody, comma-separated
    withdraw: str = ""  # trust: withdraw: the current root's service URLs, comma-separated

    def render(self, takes: tuple[str, ...], put: Put, fields: dict[str, str]) -> None:
        if "dct-bundle" in takes:
            fields["dct-bundle"] = "sigstore-dct-bundle"
            if self.dct_bundle.strip():
                put("dct-bundle", "sigstore-dct-bundle", f"dct-bundle: {scalar(self.dct_bundle)}")
        if "groups" in takes:
            _rows("groups", "group", "guns", self.groups, put, fields)
        for name in EXPIRIES:
            # a renewal's targets-expires is the renewal part's
            if name in takes and not (name == "targets-expires" and "root-expires" in takes):
                fields[name] = f"sigstore-{name}"
                if self.expires.get(name, "").strip():
                    put(name, f"sigstore-{name}", f"{name}: {scalar(self.expires[name])}")
        if "reissue-cosign" in takes:
            fields["reissue-cosign"] = "sigstore-reissue-cosign"
            if names(self.reissue):
                put("reissue-cosign", "sigstore-reissue-cosign",
                    f"reissue-cosign: {flow_list(names(self.reissue))}")
        if "cosign-keys" in takes:
            _rows("cosign-keys", "cosign", "repositories", self.cosign_keys, put, fields)
        if "trust" in takes:
            self._trust(put, fields, built_on_bundle="current" in takes)

    def _trust(self, put: Put, fields: dict[str, str], *, built_on_bundle: bool) -> None:
        fields["trust"] = fields["trust.mirror"] = "sigstore-mirror"
        fields["trust.mirror-signer"] = "sigstore-mirror-signer"
        fields["trust.legacy-targets"] = "sigstore-legacy-targets"
        put("trust", "sigstore-mirror", "trust:")
        if self.mirror.strip():
            put("trust.mirror", "sigstore-mirror", f"  mirror: {scalar(self.mirror)}")
        if self.mirror_signer:
            put("trust.mirror-signer", "sigstore-mirror-signer",
                f"  mirror-signer: {self.mirror_signer}")
        if self.legacy_targets:
            put("trust.legacy-targets", "sigstore-legacy-targets", "  legacy-targets: true")
        for service, file_field in SERVICES.items():
            of = [(e.tag or i, e) for i, e in enumerate(self.entries) if e.service == service]
            if of:  # a service missing: said under its first row, if it has one
                fields[f"trust.{service}"] = f"entry-{of[0][0]}-url"
            rows = [(i, e) for i, e in of if not e.is_empty()]
            if not rows:
                continue
            put(f"trust.{service}", f"entry-{rows[0][0]}-url", f"  {service}:")
            for n, (i, entry) in enumerate(rows):
                path = f"trust.{service}[{n}]"
                parts = []
                for key, value, field_id in (
                    ("url", entry.url, "url"),
                    (file_field, entry.file, "file"),
                    ("valid-from", entry.valid_from, "from"),
                    ("valid-until", entry.valid_until, "until"),
                ):
                    fields[f"{path}.{key or 'file'}"] = f"entry-{i}-{field_id}"
                    if key and (value.strip() or key in ("url", file_field)):
                        parts.append(f"{key}: {scalar(value)}")
                put(path, f"entry-{i}-url", f"    - {{{', '.join(parts)}}}")
        if built_on_bundle:  # a bootstrap has no current trusted root to withdraw from
            self._withdraw(put, fields)

    def inside_carried(self, name: str, put: Put, fields: dict[str, str]) -> None:
        """A ``trust:`` carried as written (Ctrl+L) ends with the form's ``withdraw:``."""
        if name == "trust":
            self._withdraw(put, fields)

    def _withdraw(self, put: Put, fields: dict[str, str]) -> None:
        fields["trust.withdraw"] = "sigstore-withdraw"
        if names(self.withdraw):
            put("trust.withdraw", "sigstore-withdraw",
                f"  withdraw: {flow_list(names(self.withdraw))}")


def _rows(
    section: str, head: str, scope: str, rows: list[CosignRow], put: Put, fields: dict[str, str]
) -> None:
    """``cosign-keys:`` or ``groups:``: name, holder and the globs or GUNs, a row each."""
    shown = [(row.tag or i, row) for i, row in enumerate(rows) if not row.is_empty()]
    fields[section] = f"{head}-{(rows[0].tag or 0) if rows else 0}-name"
    if shown:
        put(section, fields[section], f"{section}:")
    for n, (i, row) in enumerate(shown):
        path = f"{section}[{n}]"
        parts = [f"name: {scalar(row.name)}"]
        fields[f"{path}.name"] = f"{head}-{i}-name"
        if row.holder.strip():
            parts.append(f"holder: {scalar(row.holder)}")
        fields[f"{path}.holder"] = f"{head}-{i}-holder"
        if names(row.scope) or section == "groups":
            parts.append(f"{scope}: {flow_list(names(row.scope))}")
        fields[f"{path}.{scope}"] = f"{head}-{i}-scope"
        put(path, f"{head}-{i}-name", f"  - {{{', '.join(parts)}}}")


def _entries() -> list[TrustEntry]:
    return [TrustEntry(service) for service in ("fulcio", "rekor", "ctlog", "oidc")]


def _expiries() -> dict[str, str]:
    return {"targets-expires": "180d", "snapshot-expires": "30d", "timestamp-expires": "7d"}


def new_sigstore_draft(kind: str, *, stamp: str) -> Draft:
    """A sound sigstore ceremony of ``kind`` to edit (docs/reference/sigstore.md's examples)."""
    output = f"media/{stamp}-sigstore-{kind}"
    if kind == "bootstrap":
        return Draft(
            kind=kind, flavor="sigstore", title="Trust root of the private Sigstore instance",
            output=output, keyholders="alice, bob, carol, online-team",
            keys=[
                KeyRow("root-alice", "alice"),
                KeyRow("root-bob", "bob"),
                KeyRow("root-carol", "carol"),
                KeyRow("targets", "online-team", "ecdsa-p256"),
                KeyRow("snapshot", "online-team", "ecdsa-p256"),
                KeyRow("timestamp", "online-team", "ecdsa-p256"),
            ],
            roles=[
                RoleRow("root", "root-alice, root-bob, root-carol", "2", "1y"),
                RoleRow("targets", "targets", "1", "180d"),
                RoleRow("snapshot", "snapshot", "1", "30d"),
                RoleRow("timestamp", "timestamp", "1", "7d"),
            ],
            part=SigstorePart(entries=_entries(), cosign_keys=[CosignRow()]),
        )
    if kind == "update-trust":
        return Draft(
            kind=kind, flavor="sigstore", title="New trust material for the Sigstore instance",
            output=output, sign_with="targets, snapshot, timestamp",
            part=SigstorePart(entries=_entries(), expires=_expiries()),
        )
    if kind == "rotate-root":
        return Draft(
            kind=kind, flavor="sigstore", title="Rotation of the Sigstore trust root",
            output=output, keys=[KeyRow()],
            roles=[RoleRow("root", "", "2", "1y"), RoleRow("targets", "", "1", "180d"),
                   RoleRow("snapshot", "", "1", "30d"), RoleRow("timestamp", "", "1", "7d")],
            part=SigstorePart(entries=_entries(), expires=_expiries()),
        )
    if kind == "renew":
        return Draft(
            kind=kind, flavor="sigstore", title="Renewal of the Sigstore trust root",
            output=output, renewal=Renewal(root_expires="1y", targets_expires="180d"),
            part=SigstorePart(entries=_entries(), expires=_expiries()),
        )
    if kind == "decommission":
        return Draft(
            kind=kind, flavor="sigstore", title="Key destruction in the Sigstore trust root",
            output=output, renewal=Renewal(root_expires="", targets_expires="180d"),
            part=SigstorePart(entries=_entries(), expires=_expiries()),
        )
    if kind == "recover":  # the custody bundle holds root and targets: the timestamp key lost
        return recover_draft(
            "sigstore", stamp=stamp, lost="timestamp", algorithm="ecdsa-p256",
            sign_with="snapshot",
            roles=(RoleRow("targets", "", "1", "180d"), RoleRow("snapshot", "", "1", "30d"),
                   RoleRow("timestamp", "", "1", "7d")),
            part=SigstorePart(entries=_entries(), expires=_expiries()),
        )
    if kind == "migrate-dct":
        return Draft(
            kind=kind, flavor="sigstore", title="Leave DCT: cosign keys for the GUNs",
            output=output, keyholders="ci-team",
            part=SigstorePart(groups=[CosignRow()]),
        )
    raise ValueError(kind)
