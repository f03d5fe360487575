"""custody.json: the public facts that check a restore.

A custody record travels unencrypted beside each copy of the bundle (and the
engine may put it in the export bundle and the transcript). It says which
ceremony sealed the bundle, the bundle's sha256 and size, the age recipient it
is encrypted to, every key in it (name, roles, algorithm, TUF keyid and
fingerprint = sha256 of the DER SubjectPublicKeyInfo) and how its identity was
split (SLIP-39 set id, thresholds, groups, whether a passphrase was used),
or, for a passphrase-only bundle (the small-team mode, no shares), that it
is age-encrypted to a passphrase (scrypt) and has no recipient. A
rehearsal's record says ``"rehearsal": true`` (a production record has no
such field).

Everything here is public. The record is read from media, so reading is
strict: unknown or missing fields, wrong types and bad values are refused.
"""

from __future__ import annotations

import re

from ceremony.json_scan import json_loads
from ceremony.plain_record import PlainRecord

FORMAT = 1
KIND = "ceremony-custody-bundle"
_HEX64 = re.compile(r"^[0-9a-f]{64}\Z")
KEY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
CEREMONY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\Z")


class RecordFormatError(ValueError):
    """custody.json is not a valid record; the message names the field."""


class KeyRecord(PlainRecord):
    """The public facts of one key in the bundle."""

    name: str
    roles: tuple[str, ...]
    algorithm: str
    keyid: str
    fingerprint: str  # sha256 hex of the DER SubjectPublicKeyInfo

    def to_dict(self) -> dict[str, object]:
        return {
            "roles": list(self.roles),
            "algorithm": self.algorithm,
            "keyid": self.keyid,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_dict(cls, name: str, data: object) -> KeyRecord:
        field = f"keys.{name}"
        data = _fields(data, field, {"roles", "algorithm", "keyid", "fingerprint"})
        if not KEY_NAME.match(name):
            raise RecordFormatError(f"{field}: not a key name")
        roles = data["roles"]
        if not isinstance(roles, list) or not all(isinstance(r, str) and r for r in roles):
            raise RecordFormatError(f"{field}.roles: expected a list of role names")
        return cls(
            name=name,
            roles=tuple(roles),
            algorithm=_text(data, "algorithm", field),
            keyid=_hex64(data, "keyid", field),
            fingerprint=_hex64(data, "fingerprint", field),
        )


class ShareSetRecord(PlainRecord):
    """How the identity was split: public SLIP-39 parameters only."""

    identifier: int  # SLIP-39 set id, the same in every share of the set
    extendable: bool
    iteration_exponent: int
    group_threshold: int
    groups: tuple[tuple[int, int], ...]  # (member threshold, member count) per group
    passphrase: bool  # whether a SLIP-39 passphrase was used

    @property
    def share_count(self) -> int:
        return sum(count for _, count in self.groups)

    def to_dict(self) -> dict[str, object]:
        return {
            "scheme": "slip39",
            "identifier": self.identifier,
            "extendable": self.extendable,
            "iteration_exponent": self.iteration_exponent,
            "group_threshold": self.group_threshold,
            "groups": [{"threshold": t, "count": n} for t, n in self.groups],
            "passphrase": self.passphrase,
        }

    @classmethod
    def from_dict(cls, data: object) -> ShareSetRecord:
        field = "shares"
        data = _fields(
            data,
            field,
            {"scheme", "identifier", "extendable", "iteration_exponent",
             "group_threshold", "groups", "passphrase"},
        )
        if data["scheme"] != "slip39":
            raise RecordFormatError(f"{field}.scheme: only slip39 is known")
        groups = data["groups"]
        if not isinstance(groups, list) or not 1 <= len(groups) <= 16:
            raise RecordFormatError(f"{field}.groups: expected a list of 1 to 16 groups")
        parsed = []
        for i, item in enumerate(groups):
            group = _fields(item, f"{field}.groups[{i}]", {"threshold", "count"})
            threshold = _int(group, "threshold", f"{field}.groups[{i}]", 1, 16)
            count = _int(group, "count", f"{field}.groups[{i}]", threshold, 16)
            parsed.append((threshold, count))
        return cls(
            identifier=_int(data, "identifier", field, 0, 2**15 - 1),
            extendable=_bool(data, "extendable", field),
            iteration_exponent=_int(data, "iteration_exponent", field, 0, 15),
            group_threshold=_int(data, "group_threshold", field, 1, len(parsed)),
            groups=tuple(parsed),
            passphrase=_bool(data, "passphrase", field),
        )


class PassphraseRecord(PlainRecord):
    """A passphrase-only bundle: age scrypt to one passphrase, no shares."""

    SCHEME = "age-passphrase"
    passphrase = True

    def to_dict(self) -> dict[str, object]:
        return {"scheme": self.SCHEME}

    @classmethod
    def from_dict(cls, data: object) -> PassphraseRecord:
        _fields(data, "shares", {"scheme"})
        return cls()


def _protection_from_dict(data: object) -> ShareSetRecord | PassphraseRecord:
    if isinstance(data, dict) and data.get("scheme") == PassphraseRecord.SCHEME:
        return PassphraseRecord.from_dict(data)
    return ShareSetRecord.from_dict(data)


class CustodyRecord(PlainRecord):
    """custody.json: what a restore of this bundle must find."""

    ceremony_id: str
    root_version: int
    recipient: str | None  # the age X25519 recipient, age1...; None: passphrase-only
    bundle_sha256: str
    bundle_size: int
    keys: tuple[KeyRecord, ...]
    shares: ShareSetRecord | PassphraseRecord
    # sealed by a rehearsal: practice keys, never to be trusted (written only when true)
    rehearsal: bool = False

    BUNDLE_FILE = "bundle.age"
    RECORD_FILE = "custody.json"

    @property
    def passphrase_only(self) -> bool:
        """Sealed to a passphrase, with no shares (see PassphraseRecord)."""
        return isinstance(self.shares, PassphraseRecord)

    @property
    def share_set(self) -> ShareSetRecord:
        """How the identity was split into shares. A passphrase-only bundle
        has none: asking it is a fault in the caller (ValueError)."""
        if not isinstance(self.shares, ShareSetRecord):
            raise ValueError(
                f"the custody bundle of ceremony {self.ceremony_id} is sealed to a "
                "passphrase: it has no shares"
            )
        return self.shares

    @property
    def root_keyids(self) -> tuple[str, ...]:
        return tuple(k.keyid for k in self.keys if "root" in k.roles)

    def key(self, name: str) -> KeyRecord | None:
        return next((k for k in self.keys if k.name == name), None)

    def to_dict(self) -> dict[str, object]:
        marked: dict[str, object] = {"rehearsal": True} if self.rehearsal else {}
        return marked | {
            "format": FORMAT,
            "kind": KIND,
            "ceremony_id": self.ceremony_id,
            "root_version": self.root_version,
            "recipient": self.recipient,
            "bundle": {
                "file": self.BUNDLE_FILE,
                "sha256": self.bundle_sha256,
                "size": self.bundle_size,
            },
            "keys": {k.name: k.to_dict() for k in self.keys},
            "shares": self.shares.to_dict(),
        }

    def to_json(self) -> bytes:
        import json  # only writing one needs it: `ceremony next` reads

        return (json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n").encode()

    @classmethod
    def from_dict(cls, data: object) -> CustodyRecord:
        rehearsal = isinstance(data, dict) and "rehearsal" in data
        data = _fields(
            data,
            "custody.json",
            {"format", "kind", "ceremony_id", "root_version", "recipient", "bundle",
             "keys", "shares"} | ({"rehearsal"} if rehearsal else set()),
        )
        if rehearsal and data["rehearsal"] is not True:
            raise RecordFormatError("rehearsal: written only as true, by a rehearsal")
        if data["format"] != FORMAT or data["kind"] != KIND:
            raise RecordFormatError(
                f"format/kind: expected format {FORMAT} of kind {KIND!r}"
            )
        ceremony_id = _text(data, "ceremony_id", "custody.json")
        if not CEREMONY_ID.match(ceremony_id):
            raise RecordFormatError("ceremony_id: not a ceremony id")
        shares = _protection_from_dict(data["shares"])
        if isinstance(shares, PassphraseRecord):
            if data["recipient"] is not None:
                raise RecordFormatError("recipient: a passphrase-only bundle has none (null)")
            recipient = None
        else:
            recipient = _text(data, "recipient", "custody.json")
            if not recipient.startswith("age1"):
                raise RecordFormatError("recipient: not an age X25519 recipient")
        bundle = _fields(data["bundle"], "bundle", {"file", "sha256", "size"})
        if bundle["file"] != cls.BUNDLE_FILE:
            raise RecordFormatError(f"bundle.file: expected {cls.BUNDLE_FILE!r}")
        keys = data["keys"]
        if not isinstance(keys, dict) or not keys:
            raise RecordFormatError("keys: expected at least one key")
        return cls(
            ceremony_id=ceremony_id,
            root_version=_int(data, "root_version", "custody.json", 1, 2**31),
            recipient=recipient,
            bundle_sha256=_hex64(bundle, "sha256", "bundle"),
            bundle_size=_int(bundle, "size", "bundle", 1, 2**31),
            keys=tuple(KeyRecord.from_dict(name, keys[name]) for name in sorted(keys)),
            shares=shares,
            rehearsal=rehearsal,
        )

    @classmethod
    def from_json(cls, raw: bytes) -> CustodyRecord:
        try:
            data = json_loads(raw.decode("utf-8"))  # json.loads's, without loading json
        except UnicodeDecodeError:
            raise RecordFormatError("not valid JSON") from None
        except ValueError as error:
            from json import JSONDecodeError  # loaded by the scanner when it raised one

            if not isinstance(error, JSONDecodeError):
                raise
            raise RecordFormatError("not valid JSON") from None
        return cls.from_dict(data)


def _fields(data: object, field: str, expected: set[str]) -> dict[str, object]:
    """``data`` as a JSON object with exactly the ``expected`` fields."""
    if not isinstance(data, dict):
        raise RecordFormatError(f"{field}: expected an object")
    missing = expected - data.keys()
    unknown = data.keys() - expected
    if missing:
        raise RecordFormatError(f"{field}: missing {', '.join(sorted(missing))}")
    if unknown:
        raise RecordFormatError(f"{field}: unknown {', '.join(sorted(unknown))}")
    return data


def _text(data: dict[str, object], key: str, field: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise RecordFormatError(f"{field}.{key}: expected text")
    return value


def _hex64(data: dict[str, object], key: str, field: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not _HEX64.match(value):
        raise RecordFormatError(f"{field}.{key}: expected 64 lowercase hex digits")
    return value


def _int(data: dict[str, object], key: str, field: str, low: int, high: int) -> int:
    value = data[key]
    if type(value) is not int or not low <= value <= high:
        raise RecordFormatError(f"{field}.{key}: expected a whole number {low}..{high}")
    return value


def _bool(data: dict[str, object], key: str, field: str) -> bool:
    value = data[key]
    if type(value) is not bool:
        raise RecordFormatError(f"{field}.{key}: expected true or false")
    return value
