"""One notary metadata file: its ``signed`` part and its ``signatures``.

:class:`Metadata` is generic in its signed part (``Metadata[Root]``...).
When it was read from bytes it keeps them (``original``) and the parsed
``signed`` object, and signatures are always checked against the canonical
bytes of that parse, never against a re-serialization that could differ (the
model's own bytes serve only when the file is exactly them, and then they are
the same bytes). :func:`read_metadata` reads a file of a type the
caller expects and refuses any other, naming ``_type``; :func:`is_of_type`
tells a reader that reports rather than refuses which type it has. This
module does no I/O and holds no private keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeGuard, TypeVar

from ceremony.flavors.dct.notary import canonical as cjson
from ceremony.flavors.dct.notary.errors import NotaryFormatError
from ceremony.flavors.dct.notary.model.keys import Signature
from ceremony.flavors.dct.notary.model.root import Root
from ceremony.flavors.dct.notary.model.signed import SignedPart
from ceremony.flavors.dct.notary.model.snapshot import Snapshot, Timestamp
from ceremony.flavors.dct.notary.model.targets import Targets
from ceremony.flavors.dct.notary.model.wire import (
    JsonObject,
    json_object,
    require,
    unrecognized,
)

#: the signed part of any notary file
AnySigned = Root | Targets | Snapshot | Timestamp
#: the signed part of one file, as a type parameter: Metadata[Root]...
SignedT = TypeVar("SignedT", bound=SignedPart)
_SignedType = type[Root] | type[Targets] | type[Snapshot]  # Timestamp is a Snapshot

SIGNED_TYPES: dict[str, _SignedType] = {
    cls.TYPE: cls for cls in (Root, Targets, Snapshot, Timestamp)
}


@dataclass
class Metadata(Generic[SignedT]):
    """One notary metadata file: ``signed`` and ``signatures``.

    Read with :meth:`from_bytes`, ``original`` holds the bytes as read and
    :meth:`signed_bytes` is the canonical form of the ``signed`` object as
    parsed: what notary verifies signatures against.

    Built in memory, :meth:`signed_bytes` serializes ``signed`` once and keeps
    the result, so that the bytes signed, the bytes verified and the bytes in
    the file (:meth:`to_bytes`) are the same bytes. Change ``signed`` after
    that and call :meth:`signed_changed` (which drops the signatures too).
    """

    signed: SignedT
    signatures: list[Signature] = field(default_factory=list)
    original: bytes | None = None
    raw_signed: JsonObject | None = None
    unrecognized: JsonObject = field(default_factory=dict)
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
        When that gives back ``original`` exactly, the canonical ``signed`` bytes
        just made are the ones :meth:`signed_bytes` would make from the part as
        parsed, and are kept for it (see :meth:`_keep_if_exact`).
        """
        if self.raw_signed is not None:
            signed = self._model_canonical()
            data = cjson.file_bytes(signed, [s.to_json() for s in self.signatures])
            self._keep_if_exact(signed, data)
            return data
        signed, plain = self.signed_bytes(), self._plain
        return cjson.file_bytes(signed, [s.to_json() for s in self.signatures], plain)

    def _model_canonical(self) -> bytes:
        """``canonical(self.signed.to_dict())``: laid out directly from the model
        when it is plain (``plain_canonical``, held to the generic serializer by
        tests), else by the generic serializer, which also words any refusal."""
        signed = self.signed
        if isinstance(signed, (Root, Targets)):
            try:
                plain = signed.plain_canonical()
            except NotaryFormatError:  # an odd key type: the generic path words it
                plain = None
            if plain is not None:
                return plain
        return cjson.canonical(signed.to_dict())

    def _keep_if_exact(self, signed: bytes, data: bytes) -> None:
        """Keep ``signed`` (the model's canonical bytes) as :meth:`signed_bytes`
        when ``data`` (the file laid out around them) is ``original``.

        Then ``raw_signed`` was parsed from ``signed`` itself, HTML-escaped
        (``<>&`` and U+2028/9, inside strings only: the same characters once
        parsed), and canonical JSON parsed and serialized again is itself: the
        model's dicts have string keys only, and its values are JSON's own
        types, so the parsed tree is the serialized one and the serializer
        writes that tree as before. ``canonical(raw_signed)`` would be these
        bytes (tests/test_notary_one_encoding.py holds the two to each other);
        it is spared. A file that differs keeps nothing: its signatures are
        checked over ``raw_signed``'s own encoding, as ever.
        """
        if self._canonical is None and data == self.original:
            self._canonical = signed

    def to_dict(self) -> JsonObject:
        return {
            "signed": self.signed.to_dict(),
            "signatures": [s.to_dict() for s in self.signatures],
            **self.unrecognized,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "metadata") -> Metadata[AnySigned]:
        """A file of any of the four types, as the dict ``data`` parsed from JSON."""
        kind, signed, signatures, rest = _envelope(data, where)
        part: AnySigned = kind.from_dict(signed, f"{where}.signed")
        return Metadata(part, _signatures(signatures, where), raw_signed=signed, unrecognized=rest)

    @classmethod
    def from_bytes(cls, data: bytes, where: str = "metadata") -> Metadata[AnySigned]:
        """A file of any of the four types, from its bytes (kept as ``original``)."""
        metadata = cls.from_dict(cjson.loads(data, where), where)
        metadata.original = bytes(data)
        return metadata


def read_metadata(
    data: bytes, kind: type[SignedT], where: str = "metadata"
) -> Metadata[SignedT]:
    """A file that must be of ``kind`` (Root, Targets...), from its bytes (kept as
    ``original``); a file of another ``_type`` is refused, naming it."""
    _, signed, signatures, rest = _envelope(cjson.loads(data, where), where)
    part = kind.from_dict(signed, f"{where}.signed")  # refuses another _type
    metadata = Metadata(part, _signatures(signatures, where), raw_signed=signed, unrecognized=rest)
    metadata.original = bytes(data)
    return metadata


def is_of_type(
    metadata: Metadata[AnySigned], kind: type[SignedT]
) -> TypeGuard[Metadata[SignedT]]:
    """Whether ``metadata`` (of any type, as :meth:`Metadata.from_bytes` reads it)
    is a file of exactly ``kind``: for readers that report a file of another
    type rather than refuse it."""
    return type(metadata.signed) is kind


def _envelope(data: Any, where: str) -> tuple[_SignedType, JsonObject, list[Any], JsonObject]:
    """The type of a file parsed from JSON, its ``signed`` part, its ``signatures``
    (not yet read) and its unknown fields."""
    data = json_object(data, where)
    require(data, ("signed", "signatures"), where)
    signed = json_object(data["signed"], f"{where}.signed")
    type_name = signed.get("_type")
    kind = SIGNED_TYPES.get(type_name) if isinstance(type_name, str) else None
    if kind is None:
        raise NotaryFormatError(
            f"unknown _type {signed.get('_type')!r}",
            where=f"{where}.signed._type",
            todo="Expected Root, Targets, Snapshot or Timestamp",
        )
    signatures = data["signatures"] or []
    if not isinstance(signatures, list):
        raise NotaryFormatError("expected a list", where=f"{where}.signatures")
    return kind, signed, signatures, unrecognized(data, ("signed", "signatures"))


def _signatures(signatures: list[Any], where: str) -> list[Signature]:
    return [
        Signature.from_dict(s, f"{where}.signatures[{i}]") for i, s in enumerate(signatures)
    ]
