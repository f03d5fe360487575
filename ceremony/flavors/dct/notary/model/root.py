"""root.json's ``signed`` part: the keys, and the four roles with their thresholds.

A root names every base role (root, targets, snapshot, timestamp), and every
key id a role lists is in ``keys``: :meth:`Root.check_structure` holds a root
to what notary's server and client check before its signatures. Nothing here
does I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from ceremony.flavors.dct.notary.errors import NotaryFormatError
from ceremony.flavors.dct.notary.model.keys import PublicKey, keys_from
from ceremony.flavors.dct.notary.model.signed import BASE_ROLES, SignedPart
from ceremony.flavors.dct.notary.model.wire import (
    EXPIRES,
    JsonObject,
    integer,
    json_object,
    require,
    string_list,
    unrecognized,
)

_PLAIN_NAMES = re.compile(r"[a-z0-9_/,-]*")  # names joined by ","


@dataclass
class RootRole:
    """A top-level role in root.json: its key ids and threshold."""

    keyids: list[str]
    threshold: int = 1
    unrecognized: JsonObject = field(default_factory=dict)

    def __post_init__(self) -> None:
        integer(self.threshold, "threshold", 1)

    def to_dict(self) -> JsonObject:
        return {"keyids": list(self.keyids), "threshold": self.threshold, **self.unrecognized}

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Self:
        data = json_object(data, where)
        require(data, ("keyids", "threshold"), where)
        return cls(
            keyids=string_list(data["keyids"], f"{where}.keyids"),
            threshold=integer(data["threshold"], f"{where}.threshold", 1),
            unrecognized=unrecognized(data, ("keyids", "threshold")),
        )


@dataclass
class Root(SignedPart):
    TYPE: ClassVar[str] = "Root"
    KNOWN: ClassVar[tuple[str, ...]] = (*SignedPart.KNOWN, "keys", "roles", "consistent_snapshot")

    keys: dict[str, PublicKey] = field(default_factory=dict)
    roles: dict[str, RootRole] = field(default_factory=dict)
    consistent_snapshot: bool = False
    unrecognized: JsonObject = field(default_factory=dict)

    def to_dict(self) -> JsonObject:
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
        if self.unrecognized or not EXPIRES.match(self.expires):
            return None
        keys: list[bytes] = []
        roles: list[bytes] = []
        names: list[str] = []
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
            roles.append(
                b'"%s":{"keyids":[%s],"threshold":%d}' % (name.encode(), keyids, role.threshold)
            )
        # every name checked at once: plain ASCII that needs no escaping (and no ",")
        if not _PLAIN_NAMES.fullmatch(",".join(names)) or "" in names:
            return None
        return (
            b'{"_type":"Root","consistent_snapshot":%s,"expires":"%s","keys":{%s},'
            b'"roles":{%s},"version":%d}'
            % (
                b"true" if self.consistent_snapshot else b"false",
                self.expires.encode(),
                b",".join(keys),
                b",".join(roles),
                self.version,
            )
        )

    @classmethod
    def from_dict(cls, data: Any, where: str = "signed") -> Self:
        data = json_object(data, where)
        version, expires = cls._common_from(data, where)
        require(data, ("keys", "roles"), where)
        roles = {
            name: RootRole.from_dict(value, f"{where}.roles.{name}")
            for name, value in json_object(data["roles"], f"{where}.roles").items()
        }
        consistent = data.get("consistent_snapshot", False)
        if not isinstance(consistent, bool):
            raise NotaryFormatError("expected true or false", where=f"{where}.consistent_snapshot")
        root = cls(
            version=version,
            expires=expires,
            keys=keys_from(data["keys"], f"{where}.keys"),
            roles=roles,
            consistent_snapshot=consistent,
            unrecognized=unrecognized(data, cls.KNOWN),
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
