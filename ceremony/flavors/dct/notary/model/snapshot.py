"""snapshot.json's and timestamp.json's ``signed`` part: the files they list.

Both are ``meta``: file name -> length and hashes. The server signs
timestamps (and snapshots, unless the snapshot key is offline); the model
reads them as it reads any file. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from ceremony.flavors.dct.notary.model.filemeta import FileMeta, meta_from
from ceremony.flavors.dct.notary.model.signed import SignedPart
from ceremony.flavors.dct.notary.model.wire import (
    JsonObject,
    json_object,
    require,
    unrecognized,
)


@dataclass
class Snapshot(SignedPart):
    TYPE: ClassVar[str] = "Snapshot"
    KNOWN: ClassVar[tuple[str, ...]] = (*SignedPart.KNOWN, "meta")

    meta: dict[str, FileMeta] = field(default_factory=dict)
    unrecognized: JsonObject = field(default_factory=dict)

    def to_dict(self) -> JsonObject:
        return {
            **self._common(),
            "meta": {name: meta.to_dict() for name, meta in self.meta.items()},
            **self.unrecognized,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "signed") -> Self:
        data = json_object(data, where)
        version, expires = cls._common_from(data, where)
        require(data, ("meta",), where)
        return cls(
            version=version,
            expires=expires,
            meta=meta_from(data["meta"], f"{where}.meta"),
            unrecognized=unrecognized(data, cls.KNOWN),
        )


@dataclass
class Timestamp(Snapshot):
    TYPE: ClassVar[str] = "Timestamp"
