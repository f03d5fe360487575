"""Reading a ``flavor: dct`` script's own fields: the Docker Content Trust ceremony.

load.py reads the fields every flavor has and hands the rest here
(``DctFlavor.read_script``): ``guns``, ``server-keys``, ``published``,
``import-trust``, ``snapshot``, ``repository-keys``, ``signers``, DCT
``delegations``, a renew's ``root-expires`` and ``current-root-expired``,
and roles whose expiry and threshold may be left to notary's defaults.
:data:`RULES` says which fields each kind takes. Like the rest of the loader
it reads strictly, names file, line and dotted path in every error, and
never touches the filesystem. What the fields mean together is checked in
checks.py; what is on media, in preflight.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ceremony.flavors.dct.plan import (
    DEFAULT_EXPIRY,
    REPOSITORY_KEY_MODES,
    SNAPSHOT_MODES,
    DctDelegationSpec,
    DctSpec,
    SignerSpec,
)
from ceremony.script.fields import HINTS as COMMON_HINTS
from ceremony.script.fields import optional
from ceremony.script.flavor_fields import FlavorScript, ScriptReading
from ceremony.script.kind_fields import ScriptRules
from ceremony.script.plan import RoleSpec
from ceremony.script.values import (
    read_expiry,
    read_path,
    read_renew_expired,
    read_threshold,
)
from ceremony.script.yamlload import Located

DCT_ROLES = ("root", "targets", "snapshot", "timestamp")
KIND_FIELDS = {
    "bootstrap": (
        "guns",
        "server-keys",
        "snapshot",
        "repository-keys",
        "roles",
        "spare-keys",
        "custody",
    ),
    "rotate-root": (
        "guns",
        "current",
        "import-trust",
        "published",
        "sign-with",
        "server-keys",
        "repository-keys",
        "roles",
        "spare-keys",
        "custody",
    ),
    "delegate": (
        "guns",
        "current",
        "published",
        "signers",
        "delegations",
        "targets-expires",
    ),
    "recover": (
        "guns",
        "current",
        "published",
        "server-keys",
        "recover-from",
        "replace",
        "repository-keys",
    ),
    # the same keys and thresholds, each GUN's root with a new expiry, version + 1
    "renew": (
        "guns",
        "current",
        "published",
        "sign-with",
        "root-expires",
        "targets-expires",
        "current-root-expired",
    ),
    # each GUN's root without the keys in destroy:, which are then destroyed
    "decommission": ("guns", "current", "published", "sign-with", "destroy", "wipe",
                     "root-expires"),
}
# fields a dct recover does not take, with why and what to do instead
RECOVER_NOT_YET = {
    "custody": (
        "a dct recover does not seal a new custody bundle yet: the recovered root keys stay "
        "the root keys, and the custody bundle they came from still holds them",
        "Remove custody:; to move the root keys into new custody, run a dct rotate-root with "
        "custody: after this recovery",
    ),
    "rehome": (
        "a dct recover does not re-home root keys onto tokens yet",
        "Remove rehome:; make new root keys on tokens in a dct rotate-root (backend: pkcs11)",
    ),
    "roles": (
        "a dct recover lists the role whose keys it replaces under replace:, not roles:",
        "Write replace: {targets: {keys: [repo-2]}}",
    ),
    "sign-with": (
        "a dct recover signs with the root keys recovered from custody, not with keys named "
        "in sign-with",
        "Remove sign-with",
    ),
}
REQUIRED_FIELDS = {
    "bootstrap": ("guns", "server-keys", "roles"),
    "rotate-root": (),
    "delegate": ("current", "published"),
    "recover": ("current", "recover-from"),
    "renew": ("current", "sign-with", "root-expires"),
    "decommission": ("current", "sign-with", "destroy"),
}
HINTS = {
    "guns": "Add guns: the Docker repositories (GUNs), e.g. [registry.example.com/org/app]",
    "server-keys": "Add server-keys: the media folder scripts/dct-fetch-keys wrote the "
    "Notary server's keys to",
    "published": "Add published: the media folder `scripts/dct-fetch-keys --state` wrote the "
    "server's current metadata to",
    "current": "Add current: the bundle of the last DCT ceremony",
    "recover-from": "Add recover-from: {copies: [...]}, the custody bundle's copies",
    "root-expires": "Add root-expires: when the renewed roots expire, e.g. 10y",
    "destroy": "Add destroy: the current root keys to remove and destroy, e.g. [root-carol]",
    "keys": "Add keys: the names of the keys, e.g. [root-alice, root-bob]",
    "threshold": "Add threshold: how many of the keys must sign",
    "name": "Add name: the signer's name, e.g. ci",
}
RULES = {
    kind: ScriptRules(
        KIND_FIELDS[kind],
        REQUIRED_FIELDS[kind],
        HINTS,
        RECOVER_NOT_YET if kind == "recover" else {},
    )
    for kind in KIND_FIELDS
}
ROLE_FIELDS = ("keys", "threshold", "expires")
SIGNER_FIELDS = ("name", "keys")
DELEGATION_FIELDS = ("name", "keys", "threshold", "paths")


def read_script(reading: ScriptReading) -> FlavorScript:
    """The dct part of a script of ``reading.kind``."""
    fields, kind, now = reading.fields, reading.kind, reading.now
    roles_field = "replace" if kind == "recover" else "roles"  # a recovery's roles: replace
    no_roles: tuple[tuple[RoleSpec, ...], frozenset[str]] = ((), frozenset())
    roles, defaults = optional(fields, roles_field, lambda r: _read_roles(r, now), no_roles)
    targets_expires = optional(fields, "targets-expires", lambda e: read_expiry(e, now), None)
    if kind == "delegate" and targets_expires is None:
        targets_expires = now + DEFAULT_EXPIRY["targets"]
        defaults = frozenset({"targets"})

    def path(located: Located) -> Path:
        return read_path(located, reading.base_dir)

    details = DctSpec(
        guns=optional(fields, "guns", _read_guns, ()),
        server_keys=optional(fields, "server-keys", path, None),
        snapshot=optional(fields, "snapshot", _read_snapshot, "server"),
        repository_keys=optional(fields, "repository-keys", _read_repository_keys, "per-gun"),
        published=optional(fields, "published", path, None),
        import_trust=optional(fields, "import-trust", path, None),
        signers=optional(fields, "signers", _read_signers, ()),
        delegations=optional(fields, "delegations", _read_delegations, ()),
        default_expiries=defaults,
        root_expires=optional(fields, "root-expires", lambda e: read_expiry(e, now), None),
        renew_expired=optional(fields, "current-root-expired", read_renew_expired, False),
    )
    return FlavorScript(roles=roles, targets_expires=targets_expires, details=details)


def _read_guns(located: Located) -> tuple[str, ...]:
    todo = "Write the GUNs as a list, e.g. [registry.example.com/org/app]"
    return tuple(item.text(todo) for item in located.items(todo))


def _read_snapshot(located: Located) -> str:
    return located.choice(
        SNAPSHOT_MODES,
        "Write snapshot: server (the Notary server signs snapshots, as Docker sets it up) "
        "or snapshot: offline (a snapshot key made here, handed to CI)",
    )


def _read_repository_keys(located: Located) -> str:
    return located.choice(
        REPOSITORY_KEY_MODES,
        "Write repository-keys: per-gun (one targets key for each GUN, as docker trust "
        "makes them) or shared (one targets key for every GUN of the script)",
    )


def _read_roles(
    located: Located, now: datetime
) -> tuple[tuple[RoleSpec, ...], frozenset[str]]:
    """(RoleSpec, ...) and the names of roles whose expiry is notary's default."""
    located.mapping("Write roles as role name: {keys: [...], threshold: N}")
    roles = located.fields(DCT_ROLES, noun="role")
    specs, defaults = [], set()
    for name in DCT_ROLES:
        if name not in roles:
            continue
        entry = roles[name]
        fields = entry.fields(
            ROLE_FIELDS,
            ("keys", "threshold") if name == "root" else ("keys",),
            todo="Write the role as {keys: [...], threshold: N}; expires is optional "
            "(notary's default when left out)",
            hints={**COMMON_HINTS, **HINTS},
        )
        if "expires" in fields:
            expires = read_expiry(fields["expires"], now)
        else:
            expires = now + DEFAULT_EXPIRY.get(name, DEFAULT_EXPIRY["targets"])
            defaults.add(name)
        threshold = read_threshold(fields["threshold"]) if "threshold" in fields else 1
        specs.append(RoleSpec(name, fields["keys"].names(), threshold, expires, line=entry.line))
    return tuple(specs), frozenset(defaults)


def _read_signers(located: Located) -> tuple[SignerSpec, ...]:
    todo = "Write each signer as {name: ci, keys: [ci-signer]}"
    signers = []
    for item in located.items(todo):
        fields = item.fields(SIGNER_FIELDS, SIGNER_FIELDS, todo=todo, hints=HINTS)
        signers.append(SignerSpec(fields["name"].name(), fields["keys"].names(), line=item.line))
    return tuple(signers)


def _read_delegations(located: Located) -> tuple[DctDelegationSpec, ...]:
    todo = 'Write each delegation as {name: targets/qa, keys: [...], paths: ["qa/"]}'
    delegations = []
    for item in located.items(todo):
        fields = item.fields(DELEGATION_FIELDS, ("name", "keys"), todo=todo, hints=HINTS)
        paths: tuple[str, ...] = ("",)
        if "paths" in fields:
            items = fields["paths"].items('Write the paths as a list of prefixes, e.g. ["qa/"]')
            paths = tuple(_path_text(path) for path in items)
        delegations.append(
            DctDelegationSpec(
                role=fields["name"].text("Write the role name, e.g. targets/qa"),
                keys=fields["keys"].names(),
                threshold=read_threshold(fields["threshold"]) if "threshold" in fields else 1,
                paths=paths,
                line=item.line,
            )
        )
    return tuple(delegations)


def _path_text(located: Located) -> str:
    """A delegated path prefix; notary's "every path" is the empty string."""
    if not isinstance(located.value, str):
        raise located.expected("text", 'Write a path prefix in quotes, e.g. "qa/", or "" for all')
    return located.value
