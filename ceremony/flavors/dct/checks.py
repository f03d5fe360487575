"""Whether a ``flavor: dct`` script makes sense for Docker Content Trust.

:data:`CHECKS` are the rules of each kind (``DctFlavor.script_checks``); the
ones that mean the same for every flavor (names defined once, holders known,
thresholds that can be met, spare root keys, root outliving what it signs)
are script/rules.py's. What is particular to
DCT: GUNs that are valid Docker repository names, root keys notary accepts
in an X.509 certificate, no P-384 (see the reason below), one targets key per
GUN made here, the server's own roles left to the server, and the media a
rotation or a delegation needs. Root keys may be made on a PKCS#11 token
(backend: pkcs11); keys handed to CI are notary key files, so software. It
reads only the Plan; what is on media is preflight's job (preflight.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.errors import CeremonyError
from ceremony.flavors.dct.fleet_size import fleet_problems
from ceremony.flavors.dct.notary.validate import check_delegation_role, check_gun
from ceremony.flavors.dct.plan import dct_spec
from ceremony.script import rules
from ceremony.script.custody_checks import custody_problems
from ceremony.script.destroy_checks import destroy_problems
from ceremony.script.hardware_checks import hardware_problems
from ceremony.script.plan import KeySpec, Plan
from ceremony.script.rules import Problem

# Key algorithms a DCT ceremony makes, and why the others are refused.
ROOT_ALGORITHMS = ("ecdsa-p256", "rsa-3072", "rsa-4096")
EXPORT_ALGORITHMS = ("ecdsa-p256", "rsa-3072", "rsa-4096")
P384_REASON = (
    "ecdsa-p384 is refused for Docker Content Trust: notary checks every ECDSA signature "
    "over a SHA-256 digest, whatever the curve, while ceremony's key backends sign P-384 "
    "over SHA-384, so notary would reject every signature this key made"
)
ED25519_ROOT_REASON = (
    "Docker Content Trust root keys are X.509 certificates, and notary does not accept an "
    "Ed25519 key in one"
)
# Names under which the passphrases of keys read from a Docker trust dir are asked.
TRUST_PASSPHRASES = ("docker-root", "docker-targets")


# -- GUNs ---------------------------------------------------------------------


def _guns(plan: Plan) -> Iterator[Problem]:
    guns = dct_spec(plan).guns
    if plan.kind == "bootstrap" and not guns:
        yield Problem("guns", "no GUN is listed", "List the Docker repositories to bootstrap")
    seen: set[str] = set()  # a set, not the list before it: 10,000 GUNs took 0.7 s
    for index, gun in enumerate(guns):
        path = f"guns[{index}]"
        try:
            check_gun(gun)
        except CeremonyError as error:
            yield Problem(path, error.what, error.todo)
            continue
        if gun in seen:
            yield Problem(path, f"the GUN {gun!r} is listed twice", "List each GUN once")
        seen.add(gun)


# -- keys ---------------------------------------------------------------------


def _root_key_names(plan: Plan) -> set[str]:
    root = plan.role("root")
    return set(root.keys) if root is not None else set()


def _algorithms(plan: Plan) -> Iterator[Problem]:
    root_keys = _root_key_names(plan)
    for index, key in enumerate(plan.keys):
        if key.source != "generate":
            continue
        path = f"keys[{index}]"
        yield from _backend(plan, path, key, key.name in root_keys)
        allowed = ROOT_ALGORITHMS if key.name in root_keys else EXPORT_ALGORITHMS
        if key.algorithm == "ecdsa-p384":
            yield Problem(f"{path}.algorithm", P384_REASON, "Use algorithm: ecdsa-p256")
        elif key.algorithm == "ed25519" and key.name in root_keys:
            yield Problem(
                f"{path}.algorithm",
                f"{key.name!r} is a root key: {ED25519_ROOT_REASON}",
                "Use algorithm: ecdsa-p256 (or rsa-3072, rsa-4096)",
            )
        elif key.algorithm not in allowed:
            yield Problem(
                f"{path}.algorithm",
                f"the algorithm {key.algorithm!r} is not one ceremony makes for Docker Content "
                "Trust (repository and delegation keys go to CI in notary's key files)",
                f"Use one of: {', '.join(allowed)}",
            )


def _backend(plan: Plan, path: str, key: KeySpec, root: bool) -> Iterator[Problem]:
    """Root keys may be made on a PKCS#11 token; keys for CI are files, so software."""
    if key.backend == "yubikey":
        yield Problem(
            f"{path}.backend",
            "YubiKey PIV keys are not wired into the dct flavor yet (their attestation and "
            "touch steps are tested for the tuf flavor only)",
            "Use backend: pkcs11 with the token's module, or backend: software",
        )
    elif key.backend != "software" and not root:
        yield Problem(
            f"{path}.backend",
            f"{key.name!r} is not a root key, and the keys a DCT ceremony makes for CI are "
            "handed over as notary key files, which a token key cannot be",
            "Use backend: software for repository, snapshot and delegation keys; only root "
            "keys may live on a token",
        )
    for number, _ in enumerate(key.backup_tokens):
        yield Problem(
            f"{path}.backup-tokens[{number}]",
            "backup tokens are not wired into the dct flavor yet",
            "Remove backup-tokens; make the root key on a token with backend: pkcs11, or keep "
            "it as an age file (backend: software)",
        )


def _passphrases_known(plan: Plan) -> Iterator[Problem]:
    script_keys = {key.name: key for key in plan.keys}
    for name, _source in plan.passphrases:
        path = f"passphrases.{name}"
        key = script_keys.get(name)
        if key is not None and key.source == "import":
            yield Problem(
                path,
                f"{name!r} is an imported public key, so it has no passphrase here",
                "Remove the entry",
            )
        elif key is None and name in TRUST_PASSPHRASES and dct_spec(plan).import_trust is None:
            yield Problem(
                path,
                f"{name!r} names the keys of a Docker trust dir, and this script imports none",
                "Remove the entry, or add import-trust:",
            )
        elif key is None and plan.kind == "bootstrap" and name not in TRUST_PASSPHRASES:
            yield Problem(
                path,
                f"no key named {name!r} is defined in this script",
                "Remove the entry, or fix the key name",
            )
        # rotate-root and delegate: other names are keys of the current bundle (preflight)


def _keys_used(plan: Plan) -> Iterator[Problem]:
    used = {name for role in plan.roles for name in role.keys}
    used |= {name for signer in dct_spec(plan).signers for name in signer.keys}
    used |= {name for delegation in dct_spec(plan).delegations for name in delegation.keys}
    user = "signer or delegation" if plan.kind == "delegate" else "role"
    yield from rules.unused_keys(plan, used, user)


def _repository_keys_made_here(plan: Plan) -> Iterator[Problem]:
    """The targets (and offline snapshot) keys of a DCT ceremony are made here; a
    rotation signed in several sittings imports its new targets key, which signs
    targets.json at its holder's sitting (sittings.py)."""
    for role_name in ("targets", "snapshot"):
        if role_name == "targets" and plan.request_expires is not None:
            continue
        role = plan.role(role_name)
        if role is None:
            continue
        for index, name in enumerate(role.keys):
            try:
                key = plan.key(name)
            except KeyError:
                continue  # a current key (preflight) or undefined (rules.role_signers)
            if key.source == "import":
                yield Problem(
                    f"roles.{role_name}.keys[{index}]",
                    f"{name!r} is an imported public key, but a {role_name} key must sign "
                    f"{role_name}.json in this ceremony: the server refuses a first publish or "
                    "a key rotation without it",
                    "Make the key here (it is exported to CI in notary's key format); a key CI "
                    "made belongs in a delegate ceremony's signers:",
                )


# -- roles ----------------------------------------------------------------------


def _server_roles(plan: Plan, allowed: tuple[str, ...]) -> Iterator[Problem]:
    for role in plan.roles:
        if role.name == "timestamp":
            yield Problem(
                "roles.timestamp",
                "the Notary server holds the timestamp key and signs timestamps itself",
                "Remove it; the root names the server's key from server-keys: (fetched with "
                "scripts/dct-fetch-keys)",
            )
        elif role.name == "snapshot" and "snapshot" not in allowed:
            todo = (
                "Remove it; with snapshot: server the root names the server's snapshot key "
                "from server-keys:"
                if plan.kind == "bootstrap"
                else "Remove it; to replace the server's snapshot key, fetch its new key with "
                "`dct-fetch-keys --rotate snapshot` and name that folder in server-keys:"
            )
            yield Problem("roles.snapshot", "the Notary server holds the snapshot key here", todo)
    for name in ("targets", "snapshot"):
        spec = plan.role(name)
        if spec is None:
            continue
        if len(spec.keys) != 1:
            yield Problem(
                f"roles.{name}.keys",
                f"the {name} role has {len(spec.keys)} keys; notary and docker sign {name} with "
                "one key per GUN",
                "List one key (with repository-keys: per-gun, one is made for each GUN)",
            )
        if spec.threshold != 1:
            yield Problem(
                f"roles.{name}.threshold",
                f"the {name} threshold is {spec.threshold}; notary and docker sign {name} with "
                "one key",
                "Write threshold: 1, or leave it out",
            )


def _bootstrap_roles(plan: Plan) -> Iterator[Problem]:
    offline = dct_spec(plan).snapshot == "offline"
    yield from _server_roles(plan, ("snapshot",) if offline else ())
    needed = ["root", "targets"] + (["snapshot"] if offline else [])
    missing = [name for name in needed if plan.role(name) is None]
    if missing:
        why = " (snapshot: offline makes a snapshot key here for CI)" if offline else ""
        example = {
            "root": "root: {keys: [root-alice], threshold: 1}",
            "targets": "targets: {keys: [repo]}",
            "snapshot": "snapshot: {keys: [snapshot-ci]}",
        }[missing[0]]
        yield Problem(
            "roles",
            f"a DCT bootstrap needs the {' and '.join(missing)} "
            f"role{'s' * (len(missing) > 1)}{why}",
            f"Add {'them' if len(missing) > 1 else 'it'} under roles, e.g. {example}",
        )


def _rotation_roles(plan: Plan) -> Iterator[Problem]:
    yield from _server_roles(plan, ())
    if not plan.roles and dct_spec(plan).server_keys is None:
        yield Problem(
            "roles",
            "nothing changes: no role is listed and no new server keys are named",
            "List the roles that change (root, targets), or name the server's new keys in "
            "server-keys:",
        )
    if plan.role("targets") is not None and dct_spec(plan).published is None:
        yield Problem(
            "roles.targets",
            "a new targets key re-signs each GUN's current targets.json, which only the "
            "server has",
            "Add published: the folder `scripts/dct-fetch-keys --state` wrote",
        )
    if dct_spec(plan).repository_keys != "per-gun" and plan.role("targets") is None:
        yield Problem(
            "repository-keys",
            "this is about new targets keys, and none is made here",
            "Remove repository-keys",
        )


def _rotation_source(plan: Plan) -> Iterator[Problem]:
    dct = dct_spec(plan)
    if (plan.current is None) == (dct.import_trust is None):
        yield Problem(
            "current" if plan.current is not None else "import-trust",
            "a DCT rotation starts from the bundle of the last ceremony (current:) or from a "
            "Docker trust dir (import-trust:)" + (", not both" if plan.current else ""),
            "Name exactly one of them",
        )
    if plan.current is not None and not plan.sign_with:
        yield Problem(
            "sign-with",
            "no keys are listed to sign",
            "Name the current root keys whose holders are here today, e.g. [root-alice]",
        )
    if dct.import_trust is not None and dct.published is None:
        yield Problem(
            "import-trust",
            "a Docker trust dir holds only what one laptop last saw of each repository",
            "Add published: the folder `scripts/dct-fetch-keys --state` wrote, so the rotation "
            "builds on the server's current root",
        )
    defined = {key.name for key in plan.keys}
    for index, name in enumerate(plan.sign_with):
        if name in plan.sign_with[:index]:
            yield Problem(f"sign-with[{index}]", f"{name!r} is listed twice", "List each key once")
        elif name in defined:
            yield Problem(
                f"sign-with[{index}]",
                f"{name!r} is a key this script brings, but sign-with names current root keys",
                "Remove it: root keys made today sign the new root without being listed",
            )


# -- recover --------------------------------------------------------------------


def _recovery_roles(plan: Plan) -> Iterator[Problem]:
    """A dct recover replaces the targets key (per GUN or shared), made here for CI;
    the root keys stay (they are the ones recovered), the server keeps its own."""
    for role in plan.roles:
        if role.name == "targets":
            continue
        todo = {
            "root": "Remove it; recover the root keys here, then rotate them in a dct "
            "rotate-root that signs with them",
            "timestamp": "Remove it; the Notary server holds the timestamp key and signs "
            "timestamps itself",
            "snapshot": "Remove it; the Notary server holds the snapshot key; name its new key "
            "in server-keys: to replace it",
        }[role.name]
        yield Problem(
            f"replace.{role.name}",
            f"a dct recover replaces the targets key only, not the {role.name} keys",
            todo,
        )
    targets = plan.role("targets")
    if targets is None:
        return
    if len(targets.keys) != 1:
        yield Problem(
            "replace.targets.keys",
            f"the targets role has {len(targets.keys)} keys; notary and docker sign targets "
            "with one key per GUN",
            "List one key (with repository-keys: per-gun, one is made for each GUN)",
        )
    if targets.threshold != 1:
        yield Problem(
            "replace.targets.threshold",
            f"the targets threshold is {targets.threshold}; notary and docker sign targets "
            "with one key",
            "Write threshold: 1, or leave it out",
        )
    for index, name in enumerate(targets.keys):
        try:
            key = plan.key(name)
        except KeyError:
            continue  # custody_checks.py: a replaced role gets new keys only
        if key.source == "import":
            yield Problem(
                f"replace.targets.keys[{index}]",
                f"{name!r} is an imported public key, but the new targets key re-signs each "
                "GUN's targets.json in this ceremony",
                "Make the key here (it is exported to CI in notary's key format)",
            )
    if dct_spec(plan).published is None:
        yield Problem(
            "replace.targets",
            "a new targets key re-signs each GUN's current targets.json, which only the "
            "server has",
            "Add published: the folder `scripts/dct-fetch-keys --state` wrote",
        )


# -- delegations --------------------------------------------------------------


def _delegations(plan: Plan) -> Iterator[Problem]:
    dct = dct_spec(plan)
    if not dct.signers and not dct.delegations:
        yield Problem(
            "signers",
            "no signers and no delegations are listed",
            "Add signers: [{name: ci, keys: [ci-signer]}] (as `docker trust signer add`), "
            "or delegations:",
        )
    roles = []
    for index, signer in enumerate(dct.signers):
        path = f"signers[{index}]"
        if signer.name == "releases":
            yield Problem(
                f"{path}.name",
                "a signer cannot be called 'releases': its keys go on " "targets/releases anyway",
                "Choose the signer's own name, such as ci or alice",
            )
        yield from _role_name(f"{path}.name", signer.role)
        yield from rules.signer_problems(path, signer.keys, 1)
        roles.append((f"{path}.name", signer.role))
    for index, delegation in enumerate(dct.delegations):
        path = f"delegations[{index}]"
        yield from _role_name(f"{path}.name", delegation.role)
        yield from rules.signer_problems(path, delegation.keys, delegation.threshold)
        if not delegation.paths:
            yield Problem(
                f"{path}.paths",
                "no paths are listed, so the delegation could sign nothing",
                'List the path prefixes it may sign, e.g. ["qa/"], or [""] for every path',
            )
        roles.append((f"{path}.name", delegation.role))
    seen: dict[str, str] = {}
    for path, role in roles:
        if role in seen:
            yield Problem(
                path,
                f"the role {role} is already made at {seen[role]}",
                "Make each delegated role once",
            )
        seen.setdefault(role, path)


def _role_name(path: str, role: str) -> Iterator[Problem]:
    try:
        check_delegation_role(role)
    except CeremonyError as error:
        yield Problem(path, error.what, error.todo)


def _renew_keeps_keys(plan: Plan) -> Iterator[Problem]:
    """A renewal keeps every key: it makes, imports and replaces none; a new
    targets.json builds on the server's current one."""
    for index, key in enumerate(plan.keys):
        yield Problem(
            f"keys[{index}]",
            f"a renew keeps the current keys, so it brings none ({key.name})",
            "Remove it; to replace keys, write a rotate-root ceremony",
        )
    if plan.targets_expires is not None and dct_spec(plan).published is None:
        yield Problem(
            "targets-expires",
            "a renewed targets.json must build on the one the server serves now (CI may "
            "have published since the last ceremony)",
            "Add published: the media folder `scripts/dct-fetch-keys --state` wrote",
        )


_COMMON = (
    rules.keyholders_and_keys_once,
    rules.holders_known,
    _guns,
    fleet_problems,
    _algorithms,
    _passphrases_known,
    _keys_used,
    hardware_problems,
)
_ROOT = (
    rules.role_signers,
    rules.root_threshold,
    rules.root_keys_made_here,
    rules.one_role_per_key,
    rules.root_outlives_roles,
)
CHECKS = {
    "bootstrap": _COMMON
    + (_bootstrap_roles,)
    + _ROOT
    + (_repository_keys_made_here, custody_problems),
    "rotate-root": _COMMON
    + (_rotation_source, _rotation_roles)
    + _ROOT
    + (_repository_keys_made_here, custody_problems),
    "delegate": _COMMON + (_delegations,),
    "recover": _COMMON + (_recovery_roles, custody_problems),
    "renew": _COMMON + (_renew_keeps_keys,),
    "decommission": _COMMON + (destroy_problems,),
}
