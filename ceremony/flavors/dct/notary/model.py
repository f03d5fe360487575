"""A small wire-shaped model of Notary v1 metadata.

Each class mirrors one JSON object of notary's format and has ``from_dict`` /
``to_dict``; fields the model does not know are kept in ``unrecognized`` and
written back, so a read and a write lose nothing. Constructors and
``from_dict`` validate and raise :class:`NotaryFormatError` naming the field.

:class:`Metadata` is one file: a ``signed`` part and its ``signatures``. When
it was read from bytes it keeps them (``original``) and the parsed ``signed``
object, and signatures are always checked against those, never against a
re-serialization. This module does no I/O and holds no private keys.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

from ceremony.flavors.dct.notary import canonical as cjson
from ceremony.flavors.dct.notary.errors import NotaryFormatError

TYPES = {"root": "Root", "targets": "Targets", "snapshot": "Snapshot", "timestamp": "Timestamp"}
BASE_ROLES = ("root", "targets", "snapshot", "timestamp")

_EXPIRES = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$"
)


# -- small helpers -----------------------------------------------------------


@functools.lru_cache(maxsize=64)
def format_expires(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC, whole seconds (RFC 3339, read by Go)."""
    if moment.tzinfo is None:
        raise ValueError("expiry times must carry a time zone")
    m = moment.astimezone(timezone.utc)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def parse_expires(text: str, where: str = "expires") -> datetime:
    """An RFC 3339 time as Go writes it (fractions up to nanoseconds, any offset)."""
    if isinstance(text, str):
        moment = _parse_expires(text)
        if moment is not None:
            return moment
    match = _EXPIRES.match(text) if isinstance(text, str) else None
    if not match:
        raise NotaryFormatError(f"{text!r} is not an RFC 3339 time", where=where)
    raise NotaryFormatError(f"{text!r} is not a real date and time", where=where)


@functools.lru_cache(maxsize=256)
def _parse_expires(text: str) -> datetime | None:
    match = _EXPIRES.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second),
            int((fraction or "0").ljust(9, "0")[:6]),
            tzinfo=timezone.utc,
        )
    except ValueError:
        return None
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        moment -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return moment


def b64decode(text: Any, where: str) -> bytes:
    if not isinstance(text, str):
        raise NotaryFormatError("expected a base64 string", where=where)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NotaryFormatError("not standard base64", where=where) from None


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


_PLAIN_KEYTYPE = re.compile(r"^[a-z0-9-]+$")


_PLAIN_NAMES = re.compile(r"[a-z0-9_/,-]*")  # names joined by ","


def _key_json(keytype: str, public: bytes) -> bytes:
    """Canonical ``{"keytype":T,"keyval":{"private":null,"public":B64}}``."""
    if _PLAIN_KEYTYPE.match(keytype):  # the usual case, laid out directly
        return b'{"keytype":"%s","keyval":{"private":null,"public":"%s"}}' % (
            keytype.encode(), base64.b64encode(public)
        )
    return cjson.canonical(
        {"keytype": keytype, "keyval": {"private": None, "public": b64encode(public)}}
    )


key_json = functools.lru_cache(maxsize=4096)(_key_json)
key_json.__doc__ = _key_json.__doc__


@functools.lru_cache(maxsize=4096)
def key_id(keytype: str, public: bytes) -> str:
    """sha256 of the canonical key object: notary's key id."""
    return hashlib.sha256(key_json(keytype, public)).hexdigest()


def _object(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise NotaryFormatError("expected a JSON object", where=where)
    return value


def _int(value: Any, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise NotaryFormatError(f"expected an integer >= {minimum}", where=where)
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise NotaryFormatError("expected a string", where=where)
    return value


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise NotaryFormatError("expected a list of strings", where=where)
    return list(value)


def _rest(data: dict, known: tuple[str, ...]) -> dict:
    return {k: v for k, v in data.items() if k not in known}


def _require(data: dict, names: tuple[str, ...], where: str) -> None:
    missing = [n for n in names if n not in data]
    if missing:
        raise NotaryFormatError(f"missing field(s): {', '.join(missing)}", where=where)


# -- keys and signatures -----------------------------------------------------


@dataclass
class PublicKey:
    """A key as notary writes it: ``{"keytype":…,"keyval":{"private":null,"public":…}}``.

    ``public`` is raw bytes: DER SubjectPublicKeyInfo for ``ecdsa``/``rsa``,
    the 32-byte key for ``ed25519``, the PEM text of a certificate for
    ``ecdsa-x509``/``rsa-x509``.
    """

    keytype: str
    public: bytes
    unrecognized: dict = field(default_factory=dict)
    keyval_unrecognized: dict = field(default_factory=dict)

    @property
    def keyid(self) -> str:
        """Notary's id: sha256 of the canonical key object, private part null."""
        return self._identity()[2]

    def canonical_json(self) -> bytes:
        """The canonical key object the id is computed over (``keyval.private`` null)."""
        return self._identity()[3]

    def _identity(self) -> tuple[bytes, str, str, bytes]:
        # kept on the object with the very fields it was computed from, so that a
        # key whose fields are reassigned is hashed afresh
        cached = self.__dict__.get("_identity_cache")
        if cached is not None and cached[0] is self.public and cached[1] is self.keytype:
            return cached
        if self.keytype.endswith("-x509"):
            # a root certificate: one per key and GUN, seldom seen twice; kept
            # here rather than in the shared caches
            json = _key_json(self.keytype, self.public)
            keyid = hashlib.sha256(json).hexdigest()
        else:
            json, keyid = key_json(self.keytype, self.public), key_id(self.keytype, self.public)
        cached = self.__dict__["_identity_cache"] = (self.public, self.keytype, keyid, json)
        return cached

    def to_dict(self) -> dict:
        return {
            "keytype": self.keytype,
            "keyval": {"private": None, "public": b64encode(self.public), **self.keyval_unrecognized},
            **self.unrecognized,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "key") -> "PublicKey":
        data = _object(data, where)
        _require(data, ("keytype", "keyval"), where)
        keyval = _object(data["keyval"], f"{where}.keyval")
        _require(keyval, ("public",), f"{where}.keyval")
        if keyval.get("private") not in (None, ""):
            raise NotaryFormatError(
                "a private key is embedded in public metadata", where=f"{where}.keyval.private",
                todo="Refuse this file: its author leaked a private key",
            )
        return cls(
            keytype=_str(data["keytype"], f"{where}.keytype"),
            public=b64decode(keyval["public"], f"{where}.keyval.public"),
            unrecognized=_rest(data, ("keytype", "keyval")),
            keyval_unrecognized=_rest(keyval, ("private", "public")),
        )


@dataclass
class Signature:
    """One signature: the signing key's id, notary's method name, raw signature bytes."""

    keyid: str
    method: str
    sig: bytes

    def to_dict(self) -> dict:
        return {"keyid": self.keyid, "method": self.method, "sig": b64encode(self.sig)}

    def to_json(self) -> bytes:
        return cjson.signature_json(self.keyid, self.method, self.sig)

    @classmethod
    def from_dict(cls, data: Any, where: str = "signature") -> "Signature":
        data = _object(data, where)
        _require(data, ("keyid", "method", "sig"), where)
        return cls(
            keyid=_str(data["keyid"], f"{where}.keyid"),
            # notary lower-cases the method when it reads a signature
            method=_str(data["method"], f"{where}.method").lower(),
            sig=b64decode(data["sig"], f"{where}.sig"),
        )


# -- roles -------------------------------------------------------------------


@dataclass
class RootRole:
    """A top-level role in root.json: its key ids and threshold."""

    keyids: list[str]
    threshold: int = 1
    unrecognized: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        _int(self.threshold, "threshold", 1)

    def to_dict(self) -> dict:
        return {"keyids": list(self.keyids), "threshold": self.threshold, **self.unrecognized}

    @classmethod
    def from_dict(cls, data: Any, where: str) -> "RootRole":
        data = _object(data, where)
        _require(data, ("keyids", "threshold"), where)
        return cls(
            keyids=_str_list(data["keyids"], f"{where}.keyids"),
            threshold=_int(data["threshold"], f"{where}.threshold", 1),
            unrecognized=_rest(data, ("keyids", "threshold")),
        )


@dataclass
class DelegatedRole:
    """A delegation in targets.json: ``{keyids,name,paths,threshold}``.

    ``paths`` ``[""]`` means every path. Go omits ``paths`` when it is empty.
    """

    name: str
    keyids: list[str]
    threshold: int = 1
    paths: list[str] = field(default_factory=lambda: [""])
    unrecognized: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        _int(self.threshold, "threshold", 1)

    def to_dict(self) -> dict:
        body: dict = {"keyids": list(self.keyids), "name": self.name, "threshold": self.threshold}
        if self.paths:
            body["paths"] = list(self.paths)
        return {**body, **self.unrecognized}

    @classmethod
    def from_dict(cls, data: Any, where: str) -> "DelegatedRole":
        data = _object(data, where)
        _require(data, ("keyids", "name", "threshold"), where)
        return cls(
            name=_str(data["name"], f"{where}.name"),
            keyids=_str_list(data["keyids"], f"{where}.keyids"),
            threshold=_int(data["threshold"], f"{where}.threshold", 1),
            paths=_str_list(data.get("paths") or [], f"{where}.paths"),
            unrecognized=_rest(data, ("keyids", "name", "threshold", "paths")),
        )


@dataclass
class FileMeta:
    """Length and hashes (raw bytes, base64 on the wire) of a target or a metadata file."""

    length: int
    hashes: dict[str, bytes]
    custom: Any = None
    unrecognized: dict = field(default_factory=dict)

    @classmethod
    def of(cls, data: bytes) -> "FileMeta":
        """Notary's meta for ``data``: sha256 and sha512."""
        return cls(
            len(data),
            {"sha256": hashlib.sha256(data).digest(), "sha512": hashlib.sha512(data).digest()},
        )

    def to_dict(self) -> dict:
        body: dict = {
            "hashes": {name: b64encode(value) for name, value in self.hashes.items()},
            "length": self.length,
        }
        if self.custom is not None:
            body["custom"] = self.custom
        return {**body, **self.unrecognized}

    @classmethod
    def from_dict(cls, data: Any, where: str) -> "FileMeta":
        data = _object(data, where)
        _require(data, ("length", "hashes"), where)
        hashes = _object(data["hashes"], f"{where}.hashes")
        return cls(
            length=_int(data["length"], f"{where}.length"),
            hashes={k: b64decode(v, f"{where}.hashes.{k}") for k, v in hashes.items()},
            custom=data.get("custom"),
            unrecognized=_rest(data, ("length", "hashes", "custom")),
        )


def _keys_from(data: Any, where: str) -> dict[str, PublicKey]:
    return {
        keyid: PublicKey.from_dict(value, f"{where}.{keyid}")
        for keyid, value in _object(data, where).items()
    }


def _meta_from(data: Any, where: str) -> dict[str, FileMeta]:
    return {
        name: FileMeta.from_dict(value, f"{where}.{name}")
        for name, value in _object(data, where).items()
    }


# -- the signed parts --------------------------------------------------------


@dataclass
class _Signed:
    """Fields every ``signed`` part has: ``_type``, ``version``, ``expires``."""

    TYPE: ClassVar[str] = ""
    KNOWN: ClassVar[tuple[str, ...]] = ("_type", "version", "expires")

    version: int
    expires: str

    def __post_init__(self) -> None:
        _int(self.version, "version", 1)
        parse_expires(self.expires)

    @property
    def expires_at(self) -> datetime:
        return parse_expires(self.expires)

    def _common(self) -> dict:
        return {"_type": self.TYPE, "expires": self.expires, "version": self.version}

    @classmethod
    def _common_from(cls, data: dict, where: str) -> dict:
        _require(data, cls.KNOWN, where)
        if data["_type"] != cls.TYPE:
            raise NotaryFormatError(
                f"_type is {data['_type']!r}, expected {cls.TYPE!r}", where=f"{where}._type"
            )
        return {
            "version": _int(data["version"], f"{where}.version", 1),
            "expires": _str(data["expires"], f"{where}.expires"),
        }


@dataclass
class Root(_Signed):
    TYPE: ClassVar[str] = "Root"
    KNOWN: ClassVar[tuple[str, ...]] = (*_Signed.KNOWN, "keys", "roles", "consistent_snapshot")

    keys: dict[str, PublicKey] = field(default_factory=dict)
    roles: dict[str, RootRole] = field(default_factory=dict)
    consistent_snapshot: bool = False
    unrecognized: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            **self._common(),
            "consistent_snapshot": self.consistent_snapshot,
            "keys": {keyid: key.to_dict() for keyid, key in self.keys.items()},
            "roles": {name: role.to_dict() for name, role in self.roles.items()},
            **self.unrecognized,
        }

    def plain_canonical(self) -> bytes | None:
        """The canonical bytes laid out directly from cached key objects, or None
        when anything is out of the ordinary (then the generic serializer runs).

        Same bytes as ``canonical(self.to_dict())`` (a test holds them to it);
        it only spares re-encoding every certificate for every signature.
        """
        if self.unrecognized or not _EXPIRES.match(self.expires):
            return None
        keys, roles, names = [], [], []
        for keyid in sorted(self.keys):
            key = self.keys[keyid]
            if key.unrecognized or key.keyval_unrecognized:
                return None
            keys.append(b'"%s":%s' % (keyid.encode(), key.canonical_json()))
            names.append(keyid)
            names.append(key.keytype)
        for name in sorted(self.roles):
            role = self.roles[name]
            if role.unrecognized:
                return None
            names.append(name)
            names.extend(role.keyids)
            keyids = ('"' + '","'.join(role.keyids) + '"').encode() if role.keyids else b""
            roles.append(b'"%s":{"keyids":[%s],"threshold":%d}' % (name.encode(), keyids, role.threshold))
        # every name checked at once: plain ASCII that needs no escaping (and no ",")
        if not _PLAIN_NAMES.fullmatch(",".join(names)) or "" in names:
            return None
        return b'{"_type":"Root","consistent_snapshot":%s,"expires":"%s","keys":{%s},"roles":{%s},"version":%d}' % (
            b"true" if self.consistent_snapshot else b"false",
            self.expires.encode(),
            b",".join(keys),
            b",".join(roles),
            self.version,
        )

    @classmethod
    def from_dict(cls, data: Any, where: str = "signed") -> "Root":
        data = _object(data, where)
        common = cls._common_from(data, where)
        _require(data, ("keys", "roles"), where)
        roles = {
            name: RootRole.from_dict(value, f"{where}.roles.{name}")
            for name, value in _object(data["roles"], f"{where}.roles").items()
        }
        consistent = data.get("consistent_snapshot", False)
        if not isinstance(consistent, bool):
            raise NotaryFormatError("expected true or false", where=f"{where}.consistent_snapshot")
        root = cls(
            **common,
            keys=_keys_from(data["keys"], f"{where}.keys"),
            roles=roles,
            consistent_snapshot=consistent,
            unrecognized=_rest(data, cls.KNOWN),
        )
        root.check_structure(where)
        return root

    def check_structure(self, where: str = "signed") -> None:
        """What notary's server and client check of a root before its signatures."""
        for name in BASE_ROLES:
            if name not in self.roles:
                raise NotaryFormatError(f"the {name} role is missing", where=f"{where}.roles")
            for keyid in self.roles[name].keyids:
                if keyid not in self.keys:
                    raise NotaryFormatError(
                        f"key id {keyid} is listed for {name} but not in keys",
                        where=f"{where}.roles.{name}",
                    )


@dataclass
class Delegations:
    """``delegations`` of a targets file: keys and delegated roles (always present)."""

    keys: dict[str, PublicKey] = field(default_factory=dict)
    roles: list[DelegatedRole] = field(default_factory=list)
    unrecognized: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "keys": {keyid: key.to_dict() for keyid, key in self.keys.items()},
            "roles": [role.to_dict() for role in self.roles],
            **self.unrecognized,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str) -> "Delegations":
        data = _object(data, where)
        roles = data.get("roles") or []
        if not isinstance(roles, list):
            raise NotaryFormatError("expected a list", where=f"{where}.roles")
        return cls(
            keys=_keys_from(data.get("keys") or {}, f"{where}.keys"),
            roles=[DelegatedRole.from_dict(r, f"{where}.roles[{i}]") for i, r in enumerate(roles)],
            unrecognized=_rest(data, ("keys", "roles")),
        )

    def role(self, name: str) -> DelegatedRole | None:
        return next((r for r in self.roles if r.name == name), None)


@dataclass
class Targets(_Signed):
    TYPE: ClassVar[str] = "Targets"
    KNOWN: ClassVar[tuple[str, ...]] = (*_Signed.KNOWN, "targets", "delegations")

    targets: dict[str, FileMeta] = field(default_factory=dict)
    delegations: Delegations = field(default_factory=Delegations)
    unrecognized: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            **self._common(),
            "delegations": self.delegations.to_dict(),
            "targets": {name: meta.to_dict() for name, meta in self.targets.items()},
            **self.unrecognized,
        }

    def plain_canonical(self) -> bytes | None:
        """The canonical bytes of an empty targets part laid out directly (a first
        publish has one per GUN), or None for anything else."""
        delegations = self.delegations
        if (
            self.targets or self.unrecognized or delegations.keys or delegations.roles
            or delegations.unrecognized or not _EXPIRES.match(self.expires)
        ):
            return None
        return (
            b'{"_type":"Targets","delegations":{"keys":{},"roles":[]},"expires":"%s",'
            b'"targets":{},"version":%d}' % (self.expires.encode(), self.version)
        )

    @classmethod
    def from_dict(cls, data: Any, where: str = "signed") -> "Targets":
        data = _object(data, where)
        common = cls._common_from(data, where)
        return cls(
            **common,
            targets=_meta_from(data.get("targets") or {}, f"{where}.targets"),
            delegations=Delegations.from_dict(data.get("delegations") or {}, f"{where}.delegations"),
            unrecognized=_rest(data, cls.KNOWN),
        )


@dataclass
class Snapshot(_Signed):
    TYPE: ClassVar[str] = "Snapshot"
    KNOWN: ClassVar[tuple[str, ...]] = (*_Signed.KNOWN, "meta")

    meta: dict[str, FileMeta] = field(default_factory=dict)
    unrecognized: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            **self._common(),
            "meta": {name: meta.to_dict() for name, meta in self.meta.items()},
            **self.unrecognized,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "signed") -> "Snapshot":
        data = _object(data, where)
        common = cls._common_from(data, where)
        _require(data, ("meta",), where)
        return cls(
            **common,
            meta=_meta_from(data["meta"], f"{where}.meta"),
            unrecognized=_rest(data, cls.KNOWN),
        )


@dataclass
class Timestamp(Snapshot):
    TYPE: ClassVar[str] = "Timestamp"


SIGNED_TYPES: dict[str, type[_Signed]] = {
    cls.TYPE: cls for cls in (Root, Targets, Snapshot, Timestamp)
}


# -- one file ----------------------------------------------------------------


@dataclass
class Metadata:
    """One notary metadata file: ``signed`` and ``signatures``.

    Read with :meth:`from_bytes`, ``original`` holds the bytes as read and
    :meth:`signed_bytes` is the canonical form of the ``signed`` object as
    parsed: what notary verifies signatures against.

    Built in memory, :meth:`signed_bytes` serializes ``signed`` once and keeps
    the result, so that the bytes signed, the bytes verified and the bytes in
    the file (:meth:`to_bytes`) are the same bytes. Change ``signed`` after
    that and call :meth:`signed_changed` (which drops the signatures too).
    """

    signed: Root | Targets | Snapshot | Timestamp
    signatures: list[Signature] = field(default_factory=list)
    original: bytes | None = None
    raw_signed: dict | None = None
    unrecognized: dict = field(default_factory=dict)
    _canonical: bytes | None = field(default=None, init=False, repr=False, compare=False)
    # the canonical bytes were laid out by plain_canonical: ASCII with nothing to escape
    _plain: bool = field(default=False, init=False, repr=False, compare=False)

    @property
    def type(self) -> str:
        return self.signed.TYPE

    def signed_bytes(self) -> bytes:
        """The canonical bytes a signature covers."""
        if self._canonical is None:
            if self.raw_signed is not None:
                self._canonical = cjson.canonical(self.raw_signed)
            elif isinstance(self.signed, (Root, Targets)):
                plain = self.signed.plain_canonical()
                self._plain = plain is not None
                self._canonical = plain or cjson.canonical(self.signed.to_dict())
            else:
                self._canonical = cjson.canonical(self.signed.to_dict())
        return self._canonical

    def use_canonical(self, canonical: bytes) -> None:
        """Take ``canonical`` as the canonical bytes of ``signed``: laid out by
        the caller as plain ASCII with nothing to escape (a fast path that makes
        the same bytes the generic serializer would)."""
        self._canonical, self._plain = canonical, True

    def signed_changed(self) -> None:
        """Say ``signed`` was edited: serialize it afresh, forget the old signatures."""
        self._canonical = None
        self._plain = False
        self.raw_signed = None
        self.original = None
        self.signatures = []

    def to_bytes(self) -> bytes:
        """The file bytes, exactly as notary's Go code writes them.

        Metadata read from bytes is serialized afresh from the model (which is
        how the model is proven lossless: real notary files come back identical).
        """
        if self.raw_signed is not None:
            signed, plain = cjson.canonical(self.signed.to_dict()), False
        else:
            signed, plain = self.signed_bytes(), self._plain
        return cjson.file_bytes(signed, [s.to_json() for s in self.signatures], plain)

    def to_dict(self) -> dict:
        return {
            "signed": self.signed.to_dict(),
            "signatures": [s.to_dict() for s in self.signatures],
            **self.unrecognized,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "metadata") -> "Metadata":
        data = _object(data, where)
        _require(data, ("signed", "signatures"), where)
        signed = _object(data["signed"], f"{where}.signed")
        kind = SIGNED_TYPES.get(signed.get("_type"))
        if kind is None:
            raise NotaryFormatError(
                f"unknown _type {signed.get('_type')!r}", where=f"{where}.signed._type",
                todo="Expected Root, Targets, Snapshot or Timestamp",
            )
        signatures = data["signatures"] or []
        if not isinstance(signatures, list):
            raise NotaryFormatError("expected a list", where=f"{where}.signatures")
        return cls(
            signed=kind.from_dict(signed, f"{where}.signed"),
            signatures=[
                Signature.from_dict(s, f"{where}.signatures[{i}]") for i, s in enumerate(signatures)
            ],
            raw_signed=signed,
            unrecognized=_rest(data, ("signed", "signatures")),
        )

    @classmethod
    def from_bytes(cls, data: bytes, where: str = "metadata") -> "Metadata":
        metadata = cls.from_dict(cjson.loads(data, where), where)
        metadata.original = bytes(data)
        return metadata
