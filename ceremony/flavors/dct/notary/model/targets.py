"""targets.json's ``signed`` part: targets, and delegations to other roles.

``delegations`` is always written (``{"keys":{},"roles":[]}`` when empty); a
delegated role is ``{keyids,name,paths,threshold}``, ``paths`` ``[""]``
meaning every path. Fields the model does not know are kept and written
back. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from ceremony.flavors.dct.notary.errors import NotaryFormatError
from ceremony.flavors.dct.notary.model.filemeta import FileMeta, meta_from
from ceremony.flavors.dct.notary.model.keys import PublicKey, keys_from
from ceremony.flavors.dct.notary.model.signed import SignedPart
from ceremony.flavors.dct.notary.model.wire import (
    EXPIRES,
    JsonObject,
    integer,
    json_object,
    require,
    string,
    string_list,
    unrecognized,
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
    unrecognized: JsonObject = field(default_factory=dict)

    def __post_init__(self) -> None:
        integer(self.threshold, "threshold", 1)

    def to_dict(self) -> JsonObject:
        body: JsonObject = {
            "keyids": list(self.keyids), "name": self.name, "threshold": self.threshold
        }
        if self.paths:
            body["paths"] = list(self.paths)
        return {**body, **self.unrecognized}

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Self:
        data = json_object(data, where)
        require(data, ("keyids", "name", "threshold"), where)
        return cls(
            name=string(data["name"], f"{where}.name"),
            keyids=string_list(data["keyids"], f"{where}.keyids"),
            threshold=integer(data["threshold"], f"{where}.threshold", 1),
            paths=string_list(data.get("paths") or [], f"{where}.paths"),
            unrecognized=unrecognized(data, ("keyids", "name", "threshold", "paths")),
        )


@dataclass
class Delegations:
    """``delegations`` of a targets file: keys and delegated roles (always present)."""

    keys: dict[str, PublicKey] = field(default_factory=dict)
    roles: list[DelegatedRole] = field(default_factory=list)
    unrecognized: JsonObject = field(default_factory=dict)
    # the first role of each name, of the first _indexed roles (see role)
    _named: dict[str, DelegatedRole] = field(default_factory=dict, init=False, repr=False,
                                             compare=False)
    _indexed: int = field(default=0, init=False, repr=False, compare=False)

    def to_dict(self) -> JsonObject:
        return {
            "keys": {keyid: key.to_dict() for keyid, key in self.keys.items()},
            "roles": [role.to_dict() for role in self.roles],
            **self.unrecognized,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Self:
        data = json_object(data, where)
        roles = data.get("roles") or []
        if not isinstance(roles, list):
            raise NotaryFormatError("expected a list", where=f"{where}.roles")
        return cls(
            keys=keys_from(data.get("keys") or {}, f"{where}.keys"),
            roles=[
                DelegatedRole.from_dict(r, f"{where}.roles[{i}]") for i, r in enumerate(roles)
            ],
            unrecognized=unrecognized(data, ("keys", "roles")),
        )

    def role(self, name: str) -> DelegatedRole | None:
        """The first role called ``name``, or None: looked up by name in an index that
        takes in the roles appended since it was last asked (a delegation adding
        thousands of roles asks once a role; a scan of the list each time made
        building the file quadratic)."""
        if self._indexed > len(self.roles):  # roles taken out: index them again
            self._named, self._indexed = {}, 0
        for role in self.roles[self._indexed:]:
            self._named.setdefault(role.name, role)
        self._indexed = len(self.roles)
        return self._named.get(name)


@dataclass
class Targets(SignedPart):
    TYPE: ClassVar[str] = "Targets"
    KNOWN: ClassVar[tuple[str, ...]] = (*SignedPart.KNOWN, "targets", "delegations")

    targets: dict[str, FileMeta] = field(default_factory=dict)
    delegations: Delegations = field(default_factory=Delegations)
    unrecognized: JsonObject = field(default_factory=dict)

    def to_dict(self) -> JsonObject:
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
            or delegations.unrecognized or not EXPIRES.match(self.expires)
        ):
            return None
        return (
            b'{"_type":"Targets","delegations":{"keys":{},"roles":[]},"expires":"%s",'
            b'"targets":{},"version":%d}' % (self.expires.encode(), self.version)
        )

    @classmethod
    def from_dict(cls, data: Any, where: str = "signed") -> Self:
        data = json_object(data, where)
        version, expires = cls._common_from(data, where)
        return cls(
            version=version,
            expires=expires,
            targets=meta_from(data.get("targets") or {}, f"{where}.targets"),
            delegations=Delegations.from_dict(
                data.get("delegations") or {}, f"{where}.delegations"
            ),
            unrecognized=unrecognized(data, cls.KNOWN),
        )
