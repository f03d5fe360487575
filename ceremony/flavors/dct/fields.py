"""Reading a ``flavor: dct`` script: the fields of a Docker Content Trust ceremony.

load.py hands a dct script here once it knows the kind and the flavor. The
fields every flavor has (title, output, keyholders, keys, passphrases...) are
read with load.py's own readers; this module reads what is particular to DCT
(``guns``, ``server-keys``, ``published``, ``import-trust``, ``signers``,
DCT ``delegations``, and roles whose expiry may be left to notary's
defaults); ``pins:`` and the token fields of root keys are the hardware
readers' (hardware_fields.py), as for the tuf flavor and builds the Plan with its :class:`DctSpec`. Like the rest of the
loader it reads strictly, names file, line and dotted path in every error,
and never touches the filesystem. What the fields mean together is checked
in dct_checks.py; what is on media, in preflight.
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
from ceremony.script.plan import Plan, RoleSpec
from ceremony.script.yamlload import Located

DCT_ROLES = ("root", "targets", "snapshot", "timestamp")
# the fields every flavor has that a dct script reads (load.py's own readers read them)
COMMON_FIELDS = (
    "format",
    "ceremony",
    "flavor",
    "title",
    "rehearsal",
    "network",
    "output",
    "keyholders",
    "keys",
    "passphrases",
    "pins",
)
# fields of the tuf flavor not wired into dct yet, with why
NOT_YET: dict[str, str] = {}
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
    "bootstrap": ("flavor", "title", "output", "guns", "server-keys", "roles"),
    "rotate-root": ("flavor", "title", "output"),
    "delegate": ("flavor", "title", "output", "current", "published"),
    "recover": ("flavor", "title", "output", "current", "recover-from"),
}
HINTS = {
    "guns": "Add guns: the Docker repositories (GUNs), e.g. [registry.example.com/org/app]",
    "server-keys": "Add server-keys: the media folder scripts/dct-fetch-keys wrote the "
    "Notary server's keys to",
    "published": "Add published: the media folder `scripts/dct-fetch-keys --state` wrote the "
    "server's current metadata to",
    "current": "Add current: the bundle of the last DCT ceremony",
    "recover-from": "Add recover-from: {copies: [...]}, the custody bundle's copies",
    "keys": "Add keys: the names of the keys, e.g. [root-alice, root-bob]",
    "threshold": "Add threshold: how many of the keys must sign",
    "name": "Add name: the signer's name, e.g. ci",
}
ROLE_FIELDS = ("keys", "threshold", "expires")
SIGNER_FIELDS = ("name", "keys")
DELEGATION_FIELDS = ("name", "keys", "threshold", "paths")


def read_dct_plan(top: Located, kind: str, *, base_dir: Path, now: datetime, **script) -> Plan:
    """The Plan of a dct script of ``kind`` (flavor already read as dct)."""
    from ceremony.script import load
    from ceremony.script.custody_fields import read_custody, read_recover_from
    from ceremony.script.hardware_fields import read_pins

    if kind not in KIND_FIELDS:
        raise top.get("ceremony").error(
            f"a {kind} ceremony is not available for the dct flavor yet",
            "Use bootstrap, rotate-root, delegate or recover",
        )
    _refuse_fields_of_other_kinds(top, kind)
    fields = top.fields(
        COMMON_FIELDS + KIND_FIELDS[kind],
        REQUIRED_FIELDS[kind],
        hints={**load._HINTS, **HINTS},
    )
    passphrases = load._read_passphrases(fields.get("passphrases"))
    optional = load._optional
    roles_field = "replace" if kind == "recover" else "roles"  # a recovery's roles: replace
    roles, defaults = optional(
        fields, roles_field, lambda r: _read_roles(r, kind, now), ((), frozenset())
    )
    targets_expires = optional(fields, "targets-expires", lambda e: load._read_expiry(e, now), None)
    if kind == "delegate" and targets_expires is None:
        targets_expires = now + DEFAULT_EXPIRY["targets"]
        defaults = frozenset({"targets"})
    path = lambda located: load._read_path(located, base_dir)  # noqa: E731
    dct = DctSpec(
        guns=optional(fields, "guns", _read_guns, ()),
        server_keys=optional(fields, "server-keys", path, None),
        snapshot=optional(fields, "snapshot", _read_snapshot, "server"),
        repository_keys=optional(fields, "repository-keys", _read_repository_keys, "per-gun"),
        published=optional(fields, "published", path, None),
        import_trust=optional(fields, "import-trust", path, None),
        signers=optional(fields, "signers", _read_signers, ()),
        delegations=optional(fields, "delegations", _read_delegations, ()),
        default_expiries=defaults,
    )
    return Plan(
        kind=kind,
        flavor="dct",
        title=fields["title"].text(),
        output=load._read_path(fields["output"], base_dir),
        rehearsal=optional(fields, "rehearsal", Located.flag, False),
        allow_network=load._read_network(fields.get("network")),
        spare_keys=optional(fields, "spare-keys", load._read_spare_keys, None),
        keyholders=optional(fields, "keyholders", load._read_keyholders, ()),
        keys=tuple(
            load._read_key(item, passphrases, base_dir)
            for item in optional(fields, "keys", load._key_items, [])
        ),
        roles=roles,
        current=optional(fields, "current", path, None),
        sign_with=optional(fields, "sign-with", Located.names, ()),
        targets_expires=targets_expires,
        consistent_snapshot=False,  # notary's roots never use consistent snapshots
        passphrases=tuple(passphrases.items()),
        pins=optional(fields, "pins", read_pins, ()),
        custody=optional(fields, "custody", lambda c: read_custody(c, base_dir), None),
        recover_from=optional(
            fields, "recover-from", lambda r: read_recover_from(r, base_dir), None
        ),
        dct=dct,
        lines=dict(top.lines),
        **script,
    )


def _refuse_fields_of_other_kinds(top: Located, kind: str) -> None:
    allowed = KIND_FIELDS[kind]
    for name in top.mapping():
        if kind == "recover" and name in RECOVER_NOT_YET:
            raise top.get(name).error(*RECOVER_NOT_YET[name])
        if name in NOT_YET:
            raise top.get(name).error(
                NOT_YET[name],
                "Remove it; docs/dct.md says what the dct flavor supports",
            )
        others = [other for other, names in KIND_FIELDS.items() if name in names]
        if others and name not in allowed:
            raise top.get(name).error(
                f"a dct {kind} ceremony has no {name} field (it belongs to {', '.join(others)})",
                f"Remove it; docs/scripts.md lists the fields of a dct {kind}",
            )


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


def _read_roles(located: Located, kind: str, now: datetime):
    """(RoleSpec, ...) and the names of roles whose expiry is notary's default."""
    from ceremony.script import load

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
            hints={**load._HINTS, **HINTS},
        )
        if "expires" in fields:
            expires = load._read_expiry(fields["expires"], now)
        else:
            expires = now + DEFAULT_EXPIRY.get(name, DEFAULT_EXPIRY["targets"])
            defaults.add(name)
        threshold = load._read_threshold(fields["threshold"]) if "threshold" in fields else 1
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
    from ceremony.script import load

    todo = 'Write each delegation as {name: targets/qa, keys: [...], paths: ["qa/"]}'
    delegations = []
    for item in located.items(todo):
        fields = item.fields(DELEGATION_FIELDS, ("name", "keys"), todo=todo, hints=HINTS)
        paths = ("",)
        if "paths" in fields:
            paths = fields["paths"].items('Write the paths as a list of prefixes, e.g. ["qa/"]')
            paths = tuple(_path_text(path) for path in paths)
        delegations.append(
            DctDelegationSpec(
                role=fields["name"].text("Write the role name, e.g. targets/qa"),
                keys=fields["keys"].names(),
                threshold=load._read_threshold(fields["threshold"]) if "threshold" in fields else 1,
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
