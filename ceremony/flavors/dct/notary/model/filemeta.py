"""The length and hashes of a file, as targets.json and snapshot.json list them.

Hashes are raw bytes in the model and standard base64 on the wire; notary
lists sha256 and sha512. Fields the model does not know are kept and written
back. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Self

from ceremony.flavors.dct.notary.model.wire import (
    JsonObject,
    b64decode,
    b64encode,
    integer,
    json_object,
    require,
    unrecognized,
)


@dataclass
class FileMeta:
    """Length and hashes (raw bytes, base64 on the wire) of a target or a metadata file."""

    length: int
    hashes: dict[str, bytes]
    custom: Any = None  # a target's custom data: any JSON, carried as it is
    unrecognized: JsonObject = field(default_factory=dict)

    @classmethod
    def of(cls, data: bytes) -> Self:
        """Notary's meta for ``data``: sha256 and sha512."""
        return cls(
            len(data),
            {"sha256": hashlib.sha256(data).digest(), "sha512": hashlib.sha512(data).digest()},
        )

    def to_dict(self) -> JsonObject:
        body: JsonObject = {
            "hashes": {name: b64encode(value) for name, value in self.hashes.items()},
            "length": self.length,
        }
        if self.custom is not None:
            body["custom"] = self.custom
        return {**body, **self.unrecognized}

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Self:
        data = json_object(data, where)
        require(data, ("length", "hashes"), where)
        hashes = json_object(data["hashes"], f"{where}.hashes")
        return cls(
            length=integer(data["length"], f"{where}.length"),
            hashes={k: b64decode(v, f"{where}.hashes.{k}") for k, v in hashes.items()},
            custom=data.get("custom"),
            unrecognized=unrecognized(data, ("length", "hashes", "custom")),
        )


def meta_from(data: Any, where: str) -> dict[str, FileMeta]:
    """A ``targets`` or ``meta`` object: name -> file meta."""
    return {
        name: FileMeta.from_dict(value, f"{where}.{name}")
        for name, value in json_object(data, where).items()
    }
