"""Keys and signatures as notary writes them, and notary's key id.

A key is ``{"keytype":…,"keyval":{"private":null,"public":…}}``; its id is
the sha256 of that object's canonical bytes. Ids are cached, because one
root key names thousands of GUNs in a run; a key whose fields are reassigned
is hashed afresh. A key object that embeds a private key is refused: public
metadata never carries one. Nothing here does I/O or holds a private key.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Self

from ceremony.flavors.dct.notary import canonical as cjson
from ceremony.flavors.dct.notary.errors import NotaryFormatError
from ceremony.flavors.dct.notary.model.wire import (
    JsonObject,
    b64decode,
    b64encode,
    json_object,
    require,
    string,
    unrecognized,
)

_PLAIN_KEYTYPE = re.compile(r"^[a-z0-9-]+\Z")
_USUAL_KEYTYPES = frozenset({"ecdsa", "rsa", "ed25519", "ecdsa-x509", "rsa-x509"})  # all plain


def _key_json(keytype: str, public: bytes) -> bytes:
    """Canonical ``{"keytype":T,"keyval":{"private":null,"public":B64}}``."""
    if keytype in _USUAL_KEYTYPES or _PLAIN_KEYTYPE.match(keytype):  # laid out directly
        return b'{"keytype":"%s","keyval":{"private":null,"public":"%s"}}' % (
            keytype.encode(), binascii.b2a_base64(public, newline=False)
        )
    return cjson.canonical(
        {"keytype": keytype, "keyval": {"private": None, "public": b64encode(public)}}
    )


@functools.lru_cache(maxsize=4096)
def key_json(keytype: str, public: bytes) -> bytes:
    """Canonical ``{"keytype":T,"keyval":{"private":null,"public":B64}}``."""
    return _key_json(keytype, public)


@functools.lru_cache(maxsize=4096)
def key_id(keytype: str, public: bytes) -> str:
    """sha256 of the canonical key object: notary's key id."""
    return hashlib.sha256(key_json(keytype, public)).hexdigest()


#: (public, keytype) a key's id was computed from, then that id and its canonical
#: bytes, then the id as ASCII bytes with those bytes (what a layout puts in a file)
_Identity = tuple[bytes, str, str, bytes, tuple[bytes, bytes]]


@dataclass
class PublicKey:
    """A key as notary writes it: ``{"keytype":…,"keyval":{"private":null,"public":…}}``.

    ``public`` is raw bytes: DER SubjectPublicKeyInfo for ``ecdsa``/``rsa``,
    the 32-byte key for ``ed25519``, the PEM text of a certificate for
    ``ecdsa-x509``/``rsa-x509``.
    """

    keytype: str
    public: bytes
    unrecognized: JsonObject = field(default_factory=dict)
    keyval_unrecognized: JsonObject = field(default_factory=dict)
    # kept on the object with the very fields it was computed from, so that a
    # key whose fields are reassigned is hashed afresh
    _identity_cache: _Identity | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def identified(cls, keytype: str, public: bytes, keyid: str, canonical: bytes) -> Self:
        """A key whose id and canonical bytes its maker has just worked out
        (``keyids.x509_key_of_der``, which a test holds to :meth:`id_and_json`)."""
        key = cls(keytype, public)
        key._identity_cache = (public, keytype, keyid, canonical, (keyid.encode(), canonical))
        return key

    @property
    def keyid(self) -> str:
        """Notary's id: sha256 of the canonical key object, private part null."""
        return self._identity()[2]

    def canonical_json(self) -> bytes:
        """The canonical key object the id is computed over (``keyval.private`` null)."""
        return self._identity()[3]

    def id_and_json(self) -> tuple[str, bytes]:
        """:attr:`keyid` and :meth:`canonical_json` in one call."""
        identity = self._identity()
        return identity[2], identity[3]

    def layout_entry(self) -> tuple[bytes, bytes]:
        """:meth:`id_and_json` with the id as ASCII bytes (it is hex), for the
        layouts that put a key in a file; made once per key, like the id."""
        cached = self._identity_cache
        if cached is not None and cached[0] is self.public and cached[1] is self.keytype:
            return cached[4]
        return self._identity()[4]

    def _identity(self) -> _Identity:
        cached = self._identity_cache
        if cached is not None and cached[0] is self.public and cached[1] is self.keytype:
            return cached
        if self.keytype.endswith("-x509"):
            # a root certificate: one per key and GUN, seldom seen twice; kept
            # here rather than in the shared caches
            json = _key_json(self.keytype, self.public)
            keyid = hashlib.sha256(json).hexdigest()
        else:
            json, keyid = key_json(self.keytype, self.public), key_id(self.keytype, self.public)
        cached = self._identity_cache = (
            self.public, self.keytype, keyid, json, (keyid.encode(), json)
        )
        return cached

    def to_dict(self) -> JsonObject:
        return {
            "keytype": self.keytype,
            "keyval": {
                "private": None,
                "public": b64encode(self.public),
                **self.keyval_unrecognized,
            },
            **self.unrecognized,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "key") -> Self:
        data = json_object(data, where)
        require(data, ("keytype", "keyval"), where)
        keyval = json_object(data["keyval"], f"{where}.keyval")
        require(keyval, ("public",), f"{where}.keyval")
        if keyval.get("private") not in (None, ""):
            raise NotaryFormatError(
                "a private key is embedded in public metadata",
                where=f"{where}.keyval.private",
                todo="Refuse this file: its author leaked a private key",
            )
        return cls(
            keytype=string(data["keytype"], f"{where}.keytype"),
            public=b64decode(keyval["public"], f"{where}.keyval.public"),
            unrecognized=unrecognized(data, ("keytype", "keyval")),
            keyval_unrecognized=unrecognized(keyval, ("private", "public")),
        )


def keys_from(data: Any, where: str) -> dict[str, PublicKey]:
    """A ``keys`` object: key id -> key."""
    return {
        keyid: PublicKey.from_dict(value, f"{where}.{keyid}")
        for keyid, value in json_object(data, where).items()
    }


@dataclass
class Signature:
    """One signature: the signing key's id, notary's method name, raw signature bytes."""

    keyid: str
    method: str
    sig: bytes

    def to_dict(self) -> JsonObject:
        return {"keyid": self.keyid, "method": self.method, "sig": b64encode(self.sig)}

    def to_json(self) -> bytes:
        return cjson.signature_json(self.keyid, self.method, self.sig)

    @classmethod
    def from_dict(cls, data: Any, where: str = "signature") -> Self:
        data = json_object(data, where)
        require(data, ("keyid", "method", "sig"), where)
        return cls(
            keyid=string(data["keyid"], f"{where}.keyid"),
            # notary lower-cases the method when it reads a signature
            method=string(data["method"], f"{where}.method").lower(),
            sig=b64decode(data["sig"], f"{where}.sig"),
        )
