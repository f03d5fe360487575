"""Notary root.json: the first version of a GUN's root, and every rotation after it.

A root names four roles. Its root keys are certificates (one per root key
and GUN), the targets key is held by CI or the ceremony, and the timestamp
key (and the snapshot key, when the server manages snapshots) is the
server's, read from media. A new root is always exactly version + 1 and must
carry a threshold of valid signatures from the previous root's root keys AND
from its own; :func:`check_rotation` says which side is short before anything
is written, and the server refuses such a root anyway.

Nothing here does I/O; signing goes through signers shaped like
:class:`hsm.signer.KeySigner`.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509

from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyids import key_for_certificate
from ceremony.flavors.dct.notary.model import (
    BASE_ROLES,
    Metadata,
    PublicKey,
    Root,
    RootRole,
    format_expires,
)
from ceremony.flavors.dct.notary.signing import (
    NotarySigner,
    RawSigner,
    sign_metadata,
    verify_role,
)
from ceremony.flavors.dct.notary.validate import check_root_certificate, root_expiry_warning
from ceremony.threshold import ThresholdResult

ROOT_EXPIRY = timedelta(days=3650)


@dataclass(frozen=True)
class RootKey:
    """One root key as a GUN knows it: its certificate, and its signer when at hand."""

    certificate: x509.Certificate
    signer: RawSigner | None = None
    pem: bytes | None = None  # the certificate's PEM, when the caller has it already

    @functools.cached_property
    def key(self) -> PublicKey:
        # a NotarySigner knows the keytype of its certificates
        keytype = self.signer.x509_keytype if isinstance(self.signer, NotarySigner) else None
        if keytype is not None and self.pem is not None:
            return PublicKey(keytype, self.pem)
        known = self.signer.crypto_public_key if self.signer is not None else None
        return key_for_certificate(self.certificate, known, self.pem)

    @property
    def keyid(self) -> str:
        return self.key.keyid


class IssuedRootKey(RootKey):
    """A :class:`RootKey` whose certificate was just made here: kept as its DER
    and parsed when first read (a check reads every one; a batch made without
    checks may hand most of them on unread)."""

    der: bytes

    def __init__(
        self,
        der: bytes,
        signer: RawSigner | None,
        pem: bytes,
        certificate: x509.Certificate | None = None,
        key: PublicKey | None = None,
    ) -> None:
        """``key``: the certificate's key object, when the caller made it already
        (``keyids.x509_key_of_der``: what :attr:`key` gives, its id worked out)."""
        fields = self.__dict__  # frozen: set once, here
        fields["der"], fields["signer"], fields["pem"] = der, signer, pem
        if certificate is not None:  # parsed already
            fields["certificate"] = certificate
        if key is not None:
            fields["key"] = key
            return
        keytype = signer.x509_keytype if isinstance(signer, NotarySigner) else None
        if keytype is not None:  # what RootKey.key would make on first use
            fields["key"] = PublicKey(keytype, pem)

    @functools.cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.der)


def _role_keys(
    keys: list[PublicKey], threshold: int, role: str
) -> tuple[dict[str, PublicKey], RootRole]:
    if not keys:
        raise DctError(f"the {role} role has no key", todo=f"Give the {role} role at least one key")
    if not 1 <= threshold <= len(keys):
        raise DctError(
            f"the {role} threshold is {threshold} with {len(keys)} key(s)",
            todo="A threshold must be at least 1 and at most the number of keys",
        )
    by_id = {key.keyid: key for key in keys}
    return by_id, RootRole(list(by_id), threshold)


def build_root(
    *,
    gun: str,
    root_keys: list[RootKey],
    targets_keys: list[PublicKey],
    snapshot_keys: list[PublicKey],
    timestamp_keys: list[PublicKey],
    root_threshold: int = 1,
    targets_threshold: int = 1,
    version: int = 1,
    expires: datetime | None = None,
    now: datetime | None = None,
    check_certificates: bool = True,
) -> Root:
    """An unsigned root for ``gun``; its certificates are checked against ``gun``
    unless the caller has just made and checked them itself."""
    now = now or datetime.now(UTC)
    for root_key in root_keys if check_certificates else ():
        check_root_certificate(root_key.certificate, gun, now, new=False)
    keys: dict[str, PublicKey] = {}
    roles: dict[str, RootRole] = {}
    for role, role_keys, threshold in (
        ("root", [k.key for k in root_keys], root_threshold),
        ("targets", targets_keys, targets_threshold),
        ("snapshot", snapshot_keys, 1),
        ("timestamp", timestamp_keys, 1),
    ):
        by_id, roles[role] = _role_keys(role_keys, threshold, role)
        keys.update(by_id)
    return Root(
        version=version,
        expires=format_expires(expires or now + ROOT_EXPIRY),
        keys=keys,
        roles=roles,
        consistent_snapshot=False,
    )


#: the keytypes whose roots the fast paths lay out (:func:`ordinary_key`)
LAID_OUT_KEYTYPES = frozenset({"ecdsa", "rsa", "ed25519", "ecdsa-x509", "rsa-x509"})


def first_root(
    *,
    gun: str,
    root_keys: list[RootKey],
    targets_keys: list[PublicKey],
    snapshot_keys: list[PublicKey],
    timestamp_keys: list[PublicKey],
    root_threshold: int = 1,
    targets_threshold: int = 1,
    expires: datetime | None = None,
    now: datetime | None = None,
) -> Metadata[Root]:
    """:func:`build_root` (version 1, certificates already checked by their
    maker) as unsigned metadata whose canonical bytes are laid out while the
    root is built: a bootstrap makes one per GUN, often thousands in a run.

    The bytes are those of ``canonical(root.to_dict())`` (a test holds them to
    it); any key out of the ordinary (an unknown keytype, unknown fields)
    leaves them to the generic serializer.
    """
    now = now or datetime.now(UTC)
    if (
        root_threshold == targets_threshold == 1
        and len(root_keys) == len(targets_keys) == len(snapshot_keys) == len(timestamp_keys) == 1
    ):  # a bootstrap's usual root: one key a role
        return one_key_root(
            expires_text_of(expires or now + ROOT_EXPIRY),
            root_keys[0].key, targets_keys[0], snapshot_keys[0], timestamp_keys[0],
        )
    keys: dict[str, PublicKey] = {}
    roles: dict[str, RootRole] = {}
    laid_out = True
    for role, role_keys, threshold in (  # as build_root does it, in its order
        ("root", [k.key for k in root_keys], root_threshold),
        ("targets", targets_keys, targets_threshold),
        ("snapshot", snapshot_keys, 1),
        ("timestamp", timestamp_keys, 1),
    ):
        if len(role_keys) == 1 and threshold == 1:  # the usual role: what _role_keys makes
            keyid = role_keys[0].keyid
            keys[keyid] = role_keys[0]
            roles[role] = RootRole([keyid], 1)
        else:
            by_id, roles[role] = _role_keys(role_keys, threshold, role)
            keys.update(by_id)
        if not all(ordinary_key(key) for key in role_keys):
            laid_out = False
    expires_text = format_expires(expires or now + ROOT_EXPIRY)
    metadata = Metadata(
        Root(version=1, expires=expires_text, keys=keys, roles=roles, consistent_snapshot=False)
    )
    if not laid_out:
        return metadata  # signed_bytes() serializes it the generic way
    metadata.use_canonical(_laid_out_first_root(
        expires_text, {keyid: key.canonical_json() for keyid, key in keys.items()},
        {name: (role.keyids, role.threshold) for name, role in roles.items()},
    ))
    return metadata


def first_root_bytes(
    expires_text: str,
    root_keys: list[PublicKey],
    root_threshold: int,
    targets: PublicKey,
    snapshot: PublicKey,
    timestamp: PublicKey,
) -> bytes:
    """The canonical bytes of :func:`first_root`'s root with one key for each
    other role, for keys :func:`ordinary_key` accepts and a threshold the root
    keys can meet, without its model objects (a test holds them to it)."""
    if len(root_keys) == 1 and root_threshold == 1:
        return one_key_root_bytes(expires_text, root_keys[0], targets, snapshot, timestamp)
    keys: dict[str, bytes] = {}
    for key in root_keys:
        keyid, canonical = key.id_and_json()
        keys[keyid] = canonical
    root_ids = list(keys)  # in the root keys' order, each once, as _role_keys lists them
    roles = {"root": (root_ids, root_threshold)}
    for role, key in (("targets", targets), ("snapshot", snapshot), ("timestamp", timestamp)):
        keyid, canonical = key.id_and_json()
        keys[keyid] = canonical
        roles[role] = ([keyid], 1)
    return _laid_out_first_root(expires_text, keys, roles)


def _laid_out_first_root(
    expires_text: str, keys: dict[str, bytes], roles: dict[str, tuple[list[str], int]]
) -> bytes:
    """A first root's canonical bytes from its keys (id -> canonical key) and
    its four roles (name -> key ids and threshold)."""
    role_entries = b",".join([
        b'"%s":{"keyids":["%s"],"threshold":%d}'
        % (name.encode(), '","'.join(roles[name][0]).encode(), roles[name][1])
        for name in ("root", "snapshot", "targets", "timestamp")  # sorted, each has >= 1 key
    ])
    return _laid_out_root(expires_text, keys, b'"roles":{%s},"version":1}' % role_entries)


def _laid_out_root(expires_text: str, keys: dict[str, bytes], roles_and_version: bytes) -> bytes:
    """A first root's canonical bytes: its fixed fields, ``keys`` (each key id's
    canonical key, in key-id order), then ``roles_and_version`` (the rest, laid out
    by the caller)."""
    key_entries = b",".join([b'"%s":%s' % (keyid.encode(), keys[keyid]) for keyid in sorted(keys)])
    # hex ids, base64, fixed names and a formatted time: nothing to escape
    return (
        b'{"_type":"Root","consistent_snapshot":false,"expires":"%s","keys":{%s},'
        % (expires_text.encode(), key_entries)
        + roles_and_version
    )


expires_text_of = functools.lru_cache(maxsize=16)(format_expires)  # one per run, to the second

_ONE_KEY_ROLES = (
    b'"roles":{"root":{"keyids":["%s"],"threshold":1},"snapshot":{"keyids":["%s"],"threshold":1},'
    b'"targets":{"keyids":["%s"],"threshold":1},"timestamp":{"keyids":["%s"],"threshold":1}},'
    b'"version":1}'
)


def ordinary_key(key: PublicKey) -> bool:
    """A key the fast paths lay out: a known keytype, no unknown fields."""
    return (
        key.keytype in LAID_OUT_KEYTYPES and not key.unrecognized and not key.keyval_unrecognized
    )


def one_key_root(
    expires_text: str,
    root: PublicKey,
    targets: PublicKey,
    snapshot: PublicKey,
    timestamp: PublicKey,
    canonical: bytes | None = None,
) -> Metadata[Root]:
    """:func:`first_root` when each role has one key and threshold 1: the same
    root, its canonical bytes laid out around the four key ids (a test holds
    them to the generic serializer's). ``canonical``: those bytes, when the
    caller has laid them out already (:func:`one_key_root_bytes`)."""
    ids = (root.keyid, targets.keyid, snapshot.keyid, timestamp.keyid)
    keys = {ids[0]: root, ids[1]: targets, ids[2]: snapshot, ids[3]: timestamp}
    metadata = Metadata(Root(
        version=1,
        expires=expires_text,
        keys=keys,
        roles={
            "root": RootRole([ids[0]], 1),
            "targets": RootRole([ids[1]], 1),
            "snapshot": RootRole([ids[2]], 1),
            "timestamp": RootRole([ids[3]], 1),
        },
        consistent_snapshot=False,
    ))
    if not all(ordinary_key(key) for key in (root, targets, snapshot, timestamp)):
        return metadata  # signed_bytes() serializes it the generic way
    metadata.use_canonical(
        canonical or one_key_root_bytes(expires_text, root, targets, snapshot, timestamp)
    )
    return metadata


@functools.lru_cache(maxsize=16)
def _four_keys_root(expires_text: str) -> bytes:
    """:func:`_laid_out_root` of four keys and :data:`_ONE_KEY_ROLES`, with slots
    for ``%``: each key's id and canonical key in key-id order, then the roles' ids."""
    return (
        _laid_out_root(expires_text.replace("%", "%%"), {}, b"")[:-2]  # up to "keys":{
        + b'"%s":%s,"%s":%s,"%s":%s,"%s":%s},' + _ONE_KEY_ROLES
    )


def one_key_root_bytes(
    expires_text: str,
    root: PublicKey,
    targets: PublicKey,
    snapshot: PublicKey,
    timestamp: PublicKey,
) -> bytes:
    """The canonical bytes of :func:`one_key_root`' root, laid out around the
    four key ids, for keys :func:`ordinary_key` accepts (a test holds them to the
    generic serializer's). Two roles may share a key: it is listed once."""
    # each key's id (ASCII bytes, which keep the ids' order: they are hex) and
    # canonical bytes, made once per key
    r, t, s, x = (root.layout_entry(), targets.layout_entry(), snapshot.layout_entry(),
                  timestamp.layout_entry())
    r_id, t_id, s_id, x_id = r[0], t[0], s[0], x[0]
    if len({r_id, t_id, s_id, x_id}) == 4:  # four keys (the usual): one layout, one step
        one, two, three, four = sorted((r, t, s, x))  # by id: no two ids alike
        return _four_keys_root(expires_text) % (
            one[0], one[1], two[0], two[1], three[0], three[1], four[0], four[1],
            r_id, s_id, t_id, x_id,
        )
    return _laid_out_root(
        expires_text,  # a key two roles share is listed once
        dict((root.id_and_json(), targets.id_and_json(), snapshot.id_and_json(),
              timestamp.id_and_json())),
        _ONE_KEY_ROLES % (r_id, s_id, t_id, x_id),
    )


def next_root(
    current: Root,
    *,
    gun: str,
    root_keys: list[RootKey] | None = None,
    root_threshold: int | None = None,
    targets_keys: list[PublicKey] | None = None,
    targets_threshold: int | None = None,
    snapshot_keys: list[PublicKey] | None = None,
    timestamp_keys: list[PublicKey] | None = None,
    expires: datetime | None = None,
    now: datetime | None = None,
    check_certificates: bool = True,
) -> Root:
    """Root version + 1: the roles given are replaced, the others kept as they are.

    Keys no role names any more are dropped, as notary does. Unknown fields
    of the current root are carried over.
    """
    now = now or datetime.now(UTC)
    root = copy.deepcopy(current)
    root.version = current.version + 1
    root.expires = format_expires(expires or now + ROOT_EXPIRY)
    replacements = {
        "root": ([k.key for k in root_keys] if root_keys is not None else None, root_threshold),
        "targets": (targets_keys, targets_threshold),
        "snapshot": (snapshot_keys, None),
        "timestamp": (timestamp_keys, None),
    }
    for root_key in (root_keys or []) if check_certificates else ():
        check_root_certificate(root_key.certificate, gun, now, new=False)
    for role, (keys, threshold) in replacements.items():
        if keys is None and threshold is None:
            continue
        if keys is None:
            keys = [root.keys[keyid] for keyid in root.roles[role].keyids]
        by_id, root.roles[role] = _role_keys(keys, threshold or current.roles[role].threshold, role)
        root.keys.update(by_id)
    used = {keyid for role in BASE_ROLES for keyid in root.roles[role].keyids}
    root.keys = {keyid: key for keyid, key in root.keys.items() if keyid in used}
    return root


def sign_root(root: Root | Metadata[Root], root_keys: list[RootKey]) -> Metadata[Root]:
    """Sign ``root`` with each root key's signer, under its certificate's x509 id."""
    metadata = root if isinstance(root, Metadata) else Metadata(root)
    missing = [k.keyid[:12] for k in root_keys if k.signer is None]
    if missing:
        raise DctError(
            f"root key(s) {', '.join(missing)} have no signer at hand",
            todo="Bring the keyholders and their keys, or leave those keys out of the signing",
        )
    return sign_metadata(metadata, [(k.signer, k.keyid) for k in root_keys if k.signer is not None])


def verify_root(metadata: Metadata[Root], trusted: Root) -> ThresholdResult:
    """The signatures on ``metadata`` that ``trusted``'s root role accepts."""
    role = trusted.roles["root"]
    keys = {keyid: trusted.keys[keyid] for keyid in role.keyids if keyid in trusted.keys}
    return verify_role(metadata, keys, role.threshold, "root")


def check_rotation(previous: Root, new: Metadata[Root]) -> None:
    """Raise unless ``new`` is exactly ``previous`` + 1 and signed by both thresholds."""
    if new.signed.version != previous.version + 1:
        raise DctError(
            f"the new root is version {new.signed.version}, the current one {previous.version}",
            todo="A new root must be exactly one version above the root it replaces",
        )
    for label, trusted in (("current", previous), ("new", new.signed)):
        result = verify_root(new, trusted)
        if not result.met:
            raise DctError(
                f"the {label} root keys give the new root {result.words('valid signature')}",
                todo=f"Have {result.missing} more keyholder(s) of the {label} root keys sign; "
                "the server refuses a rotation without both thresholds",
            )


def root_warnings(root: Root, gun: str, now: datetime | None = None) -> list[str]:
    """Warnings an operator should read about a root about to be published."""
    now = now or datetime.now(UTC)
    warning = root_expiry_warning(root.expires_at, now, f"the root of {gun}")
    return [warning] if warning else []
