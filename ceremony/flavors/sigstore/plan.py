"""What a Sigstore plan holds beyond the fields every flavor has (Plan.details).

A ``flavor: sigstore`` script names the instance's trust material on media
(``trust:``): the Fulcio CA chain, the Rekor and CT log public keys, an
optional timestamp authority's chain, the OIDC issuers, each with its URL and
validity window, and the URL the TUF mirror is served at. These dataclasses
hold where the material is, never its contents: preflight reads it
(material.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ceremony.engine.current import OnlineSigner
from ceremony.flavors.sigstore.current import mirror_served_online
from ceremony.flavors.sigstore.mirror_signer import online_signer
from ceremony.script.plan import KeySpec

#: the page a migrate-dct bundle carries (migration_page.py)
MIGRATION_PAGE = "MIGRATION.md"
#: the services of ``trust:``, as scripts write them, with the file each takes
SERVICES = {"fulcio": "chain", "rekor": "key", "ctlog": "key", "tsa": "chain", "oidc": ""}


@dataclass(frozen=True)
class ServiceSpec:
    """One service of the instance: a Fulcio CA, a log, a TSA or an OIDC issuer."""

    service: str  # fulcio, rekor, ctlog, tsa, oidc
    url: str
    file: Path | None  # its PEM chain (fulcio, tsa) or public key (rekor, ctlog)
    valid_from: datetime | None  # None: from the chain's notBefore, or the ceremony's day
    valid_until: datetime | None  # None: still in use
    operator: str  # who runs it, as the signing config says
    where: str  # ``file:line: path`` of the entry, for messages


@dataclass(frozen=True)
class MigrationGroup:
    """A group of migrate-dct: the cosign key made for it and the GUNs it takes over."""

    key: str  # the cosign key's name (cosign/<key>.key)
    guns: tuple[str, ...]


@dataclass(frozen=True)
class SigstoreDetails:
    """The trust material of the instance, and the URL its TUF mirror is served at."""

    mirror_url: str = ""
    services: tuple[ServiceSpec, ...] = ()
    # also the per-file targets older cosign reads (fulcio_v1.crt.pem, rekor.pub, ctfe.pub)
    legacy_targets: bool = False
    # the URLs of services of the current trusted root left out on purpose (a compromised
    # key), whose past signatures then stop verifying (withdrawn.py)
    withdraw: tuple[str, ...] = ()
    # who re-signs snapshot and timestamp: "online" (a server), "offline" (ceremonies),
    # None: not said (preflight says which the expiries imply)
    mirror_signer: str | None = None
    # update-trust: the new snapshot's and timestamp's expiries (targets: targets-expires)
    snapshot_expires: datetime | None = None
    timestamp_expires: datetime | None = None
    # signing keys for CI, kept as cosign.key files (cosign-keys:)
    cosign_keys: tuple[KeySpec, ...] = ()
    # each cosign key's image repositories (globs), for the cluster policies
    cosign_repositories: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # recover: cosign keys the custody bundle gives back, written again as cosign.key
    # files under new passphrases (``reissue-cosign:``)
    reissue_cosign: tuple[str, ...] = ()
    # migrate-dct: the DCT bundle whose GUNs move, and the groups they move in
    dct_bundle: Path | None = None
    groups: tuple[MigrationGroup, ...] = ()
    # no delegations in a Sigstore trust root; the TUF checks this flavor reuses read it
    delegations: tuple[()] = ()
    # renew: the renewed root's expiry, and whether an expired root may be renewed
    # (current-root-expired: renew); the TUF steps and checks this flavor reuses read them
    root_expires: datetime | None = None
    renew_expired: bool = False

    def of(self, service: str) -> tuple[ServiceSpec, ...]:
        return tuple(spec for spec in self.services if spec.service == service)

    def online_signer(self, at: datetime) -> bool:
        """Whether a server re-signs the mirror's snapshot and timestamp between
        ceremonies (mirror_signer.online_signer); the TUF checks ask it too, to let
        a current bundle whose only expiries are those two through."""
        expiries = (self.snapshot_expires, self.timestamp_expires)
        return online_signer(self.mirror_signer, [e for e in expiries if e is not None], at)

    def current_online_signer(self, at: datetime) -> OnlineSigner:
        """Whether a server re-signs the current bundle's snapshot and timestamp, for the
        TUF checks to let their expiry through: this script's (:meth:`online_signer`),
        or, asked of the bundle's contents, the one that served it
        (current.mirror_served_online), whatever this script says: the ceremony signs
        both again either way."""
        if self.online_signer(at):
            return True
        return mirror_served_online
