"""Reading a Sigstore script's own fields: the TUF roles, and ``trust:``.

The roles are read by the TUF flavor, asked through the Flavor interface
(a Sigstore trust root is a TUF repository); ``trust:`` is read here,
strictly, with file, line and dotted path in every error. Nothing here
touches the filesystem: preflight reads the files (material.py).
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlsplit

from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore.migrate_script import read_migration
from ceremony.flavors.sigstore.plan import SERVICES, ServiceSpec, SigstoreDetails
from ceremony.flavors.sigstore.script_common import COSIGN_KEY_FIELDS, cosign_key_spec, read_listed
from ceremony.script.flavor_fields import FlavorScript, ScriptReading
from ceremony.script.kind_fields import ScriptRules
from ceremony.script.plan import KeySpec
from ceremony.script.values import read_expiry, read_path
from ceremony.script.yamlload import Located

_HINTS = {
    "trust": "Add trust: the instance's Fulcio chain, Rekor and CT log keys, OIDC issuers "
    "and mirror URL (see docs/reference/sigstore.md)",
    "mirror": "Add mirror: the URL the TUF mirror is served at, e.g. https://tuf.example.internal",
    "fulcio": "Add fulcio: [{url: ..., chain: fulcio-chain.pem}]",
    "rekor": "Add rekor: [{url: ..., key: rekor.pub}]",
    "ctlog": "Add ctlog: [{url: ..., key: ctfe.pub}]",
    "oidc": "Add oidc: [{url: https://oidc.example.internal}]",
    "root-expires": "Add root-expires: when the renewed root expires, e.g. 1y",
    "url": "Add url: the service's https URL",
    "chain": "Add chain: the PEM file of its certificate chain, leaf first",
    "key": "Add key: the PEM file of its public key",
    "snapshot-expires": "Add snapshot-expires: when the new snapshot.json expires, e.g. 30d",
    "timestamp-expires": "Add timestamp-expires: when the new timestamp.json expires, e.g. 7d",
    "reissue-cosign": "Write reissue-cosign: the cosign keys in custody to write again, "
    "e.g. [ci-release]",
}
_UPDATE_FIELDS = (
    "current",
    "sign-with",
    "targets-expires",
    "snapshot-expires",
    "timestamp-expires",
    "trust",
)
_ROTATE_FIELDS = (
    "current",
    "sign-with",
    "roles",
    "spare-keys",
    "custody",
    "targets-expires",
    "snapshot-expires",
    "timestamp-expires",
    "trust",
)
_RENEW_REQUIRED = (
    "current",
    "sign-with",
    "root-expires",
    "targets-expires",
    "snapshot-expires",
    "timestamp-expires",
    "trust",
)
_RECOVER_FIELDS = (
    "reissue-cosign",
    "current",
    "recover-from",
    "replace",
    "rehome",
    "spare-keys",
    "custody",
    "sign-with",
    "targets-expires",
    "snapshot-expires",
    "timestamp-expires",
    "trust",
)
RULES = {
    # cosign keys and cluster policies for the GUNs of a DCT bundle, in named groups
    # (custody: seals the cosign keys made in files, as a bootstrap's)
    "migrate-dct": ScriptRules(
        ("dct-bundle", "groups", "custody"),
        ("dct-bundle", "groups"),
        {
            "dct-bundle": "Add dct-bundle: the bundle of the last DCT ceremony, whose GUNs move",
            "groups": "Add groups: each a cosign key and the GUNs it signs from now on",
        },
    ),
    "bootstrap": ScriptRules(
        ("roles", "custody", "trust", "cosign-keys"), ("roles", "trust"), _HINTS
    ),
    # a new trusted_root.json or signing config, signed by the targets key (and the
    # snapshot and timestamp keys, for the mirror); every service is listed again
    "update-trust": ScriptRules(_UPDATE_FIELDS, _UPDATE_FIELDS, _HINTS),
    # the TUF recovery (custodians' shares), and the mirror signed again under the root
    # it ends with; sign-with: current online keys that sign the mirror
    "recover": ScriptRules(
        _RECOVER_FIELDS,
        (
            "current",
            "recover-from",
            "targets-expires",
            "snapshot-expires",
            "timestamp-expires",
            "trust",
        ),
        _HINTS,
    ),
    # the TUF renewal (same keys, root N+1 with a new expiry, an expired root too when
    # current-root-expired: renew), and the mirror signed again under the renewed root
    "renew": ScriptRules(
        (*_RENEW_REQUIRED, "current-root-expired"), _RENEW_REQUIRED, _HINTS
    ),
    # the TUF decommission (root N+1 without the keys in destroy:, which are then
    # destroyed), and the mirror signed again under it
    "decommission": ScriptRules(
        (*_UPDATE_FIELDS, "destroy", "wipe", "root-expires"),
        (*_UPDATE_FIELDS, "destroy"),
        {**_HINTS, "destroy": "Add destroy: the current root keys to remove and destroy, "
         "e.g. [root-carol]"},
    ),
    # the TUF rotation, and the mirror signed again under the new root: targets carrying
    # the trust documents (listed again), snapshot and timestamp
    "rotate-root": ScriptRules(
        _ROTATE_FIELDS,
        (
            "current",
            "sign-with",
            "roles",
            "targets-expires",
            "snapshot-expires",
            "timestamp-expires",
            "trust",
        ),
        _HINTS,
    ),
}
_REPOSITORY_GLOB = re.compile(r"[a-z0-9*][a-z0-9._*:-]*(/[a-z0-9*][a-z0-9._*-]*)+")
TRUST_FIELDS = ("mirror", "mirror-signer", "legacy-targets", "withdraw", *SERVICES)
_WITHDRAW_TODO = (
    "Write withdraw: as a list of the URLs of the current trusted root's services to stop "
    "trusting at once, e.g. [https://rekor.example.internal]"
)
ENTRY_FIELDS = ("url", "chain", "key", "valid-from", "valid-until", "operator")


def read_script(reading: ScriptReading) -> FlavorScript:
    if reading.kind == "migrate-dct":  # no trust root: cosign keys for DCT's GUNs
        details = read_migration(reading)
        return FlavorScript(details=details, keys=details.cosign_keys)
    tuf = flavor_named("tuf").read_script(reading)  # roles, targets-expires: TUF's
    details = read_trust(reading.fields["trust"], reading)
    fields = reading.fields
    if "cosign-keys" in fields:
        keys, repositories = read_cosign_keys(fields["cosign-keys"])
        details = replace(details, cosign_keys=keys, cosign_repositories=repositories)
    if "reissue-cosign" in fields:
        details = replace(details, reissue_cosign=fields["reissue-cosign"].names())
    if "snapshot-expires" in fields:
        details = replace(
            details,
            snapshot_expires=read_expiry(fields["snapshot-expires"], reading.now),
            timestamp_expires=read_expiry(fields["timestamp-expires"], reading.now),
        )
    details = replace(details, root_expires=tuf.details.root_expires,
                      renew_expired=tuf.details.renew_expired)
    return FlavorScript(
        roles=tuf.roles,
        targets_expires=tuf.targets_expires,
        details=details,
        keys=details.cosign_keys,
    )


def read_cosign_keys(
    located: Located,
) -> tuple[tuple[KeySpec, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """``cosign-keys:``: CI signing keys (ECDSA P-256, as cosign makes), each
    ``{name: ..., holder: ..., repositories: [...]}``; the passphrase is asked under
    its name; the repositories (image globs) scope the key in the cluster policies."""
    keys = []
    scopes = []
    for item in located.items("Write cosign-keys: as a list, e.g. [{name: ci-release}]"):
        fields = item.fields(
            (*COSIGN_KEY_FIELDS, "repositories"),
            ("name",),
            todo="Write {name: ci-release, repositories: [registry.example.internal/app/**]}",
        )
        keys.append(cosign_key_spec(fields, item))
        name = keys[-1].name
        if "repositories" in fields:
            scopes.append((name, read_repositories(fields["repositories"])))
    return tuple(keys), tuple(scopes)


def read_repositories(located: Located) -> tuple[str, ...]:
    """Image repository globs (``registry.example.internal/team/**``), as Kyverno's
    imageReferences and policy-controller's images take them."""
    return read_listed(
        located,
        _REPOSITORY_GLOB,
        "Write repositories: as a list of image globs, e.g. [registry.example.internal/app/**]",
        "is not an image repository glob (registry host, a slash, a path; "
        "letters, digits, . _ - / : * only)",
        "names no repository",
    )


def read_trust(located: Located, reading: ScriptReading) -> SigstoreDetails:
    fields = located.fields(
        TRUST_FIELDS,
        ("mirror", "fulcio", "rekor", "ctlog", "oidc"),
        todo="Write trust: as {mirror: URL, fulcio: [...], rekor: [...], ctlog: [...], "
        "oidc: [...]}, tsa: [...] optional",
        hints=_HINTS,
    )
    services: list[ServiceSpec] = []
    for service, file_field in SERVICES.items():
        if service in fields:
            for item in fields[service].items(f"Write {service}: as a list, one entry a service"):
                services.append(_read_entry(item, service, file_field, reading))
    withdraw: tuple[str, ...] = ()
    if "withdraw" in fields:
        if reading.kind == "bootstrap":
            raise fields["withdraw"].error(
                "a bootstrap has no current trusted root to withdraw a service from",
                "Remove withdraw:",
            )
        withdraw = tuple(read_url(item) for item in fields["withdraw"].items(_WITHDRAW_TODO))
    return SigstoreDetails(
        mirror_url=read_url(fields["mirror"]),
        services=tuple(services),
        withdraw=withdraw,
        legacy_targets=fields["legacy-targets"].flag() if "legacy-targets" in fields else False,
        mirror_signer=fields["mirror-signer"].choice(
            ("online", "offline"),
            "Write mirror-signer: online (a server re-signs snapshot and timestamp) or "
            "offline (only ceremonies do)",
        )
        if "mirror-signer" in fields
        else None,
    )


def _read_entry(
    item: Located, service: str, file_field: str, reading: ScriptReading
) -> ServiceSpec:
    allowed = tuple(f for f in ENTRY_FIELDS if f not in {"chain", "key"} or f == file_field)
    required = ("url", file_field) if file_field else ("url",)
    fields = item.fields(
        allowed,
        required,
        todo=f"Write each {service} entry as "
        "{url: ..., " + (f"{file_field}: FILE" if file_field else "") + "}",
        hints=_HINTS,
    )
    url = read_url(fields["url"])
    now = reading.now
    return ServiceSpec(
        service=service,
        url=url,
        file=read_path(fields[file_field], reading.base_dir) if file_field else None,
        valid_from=read_expiry(fields["valid-from"], now) if "valid-from" in fields else None,
        valid_until=read_expiry(fields["valid-until"], now) if "valid-until" in fields else None,
        operator=read_operator(fields["operator"])
        if "operator" in fields
        else urlsplit(url).hostname or "",
        where=item.where(),
    )


def read_operator(located: Located) -> str:
    """Who runs a service, as the signing config names it: printable text."""
    operator = located.text("Write who runs the service, e.g. example.internal")
    if not operator.isprintable():
        raise located.error(
            f"{operator!r} holds characters that cannot be printed",
            "Write who runs the service in plain text",
        )
    return operator


def read_url(located: Located) -> str:
    """An https URL with a host and no credentials, query or fragment."""
    url = located.text("Write a URL, e.g. https://rekor.example.internal")
    try:
        parts = urlsplit(url)
        bad_port = parts.port == 0  # reading the port raises ValueError for a bad one
    except ValueError:
        bad_port = True
    if bad_port or not url.isprintable() or any(c.isspace() for c in url):
        raise located.error(f"{url!r} is not a URL", "Write it as https://HOST[:PORT][/PATH]")
    if parts.scheme != "https" or not parts.hostname:
        raise located.error(
            f"{url!r} is not an https URL with a host; Sigstore clients reach every service "
            "over https",
            "Write it as https://HOST[:PORT][/PATH]",
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise located.error(
            f"{url!r} carries a user name, password, query or fragment, which clients would "
            "publish to everyone",
            "Write it as https://HOST[:PORT][/PATH]",
        )
    return url.rstrip("/")
